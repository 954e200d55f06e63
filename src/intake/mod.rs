//! Instruction intake.
