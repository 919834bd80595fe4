//! Integration tests live in it/; what the benchmark programs in bin/ share
//! lives here.

pub mod bench;
