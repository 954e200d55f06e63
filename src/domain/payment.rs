//! Payment statuses and their state machine. SKELETON: the state-machine helper fills this in.
