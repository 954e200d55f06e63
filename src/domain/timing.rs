//! Execution and collection dates. SKELETON: the calendars helper fills this in.
