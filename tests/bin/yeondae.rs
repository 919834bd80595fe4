//! The `yeondae` command line, built inside the test package so the tests can
//! run it as a process (Cargo only hands tests the binaries of their own
//! package). Same entry point as `api/src/main.rs`.

fn main() -> anyhow::Result<()> {
    yeondae_api::cli::main()
}
