//! The `yeondae` command line, built inside the test package so the tests can
//! run it as a process (Cargo only hands tests the binaries of their own
//! package). Same entry point and allocator as `api/src/main.rs`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    yeondae_api::cli::main()
}
