/// mimalloc instead of the system allocator: glibc's malloc took a quarter
/// of the server's CPU in the dashboard profile, and its per-thread arenas
/// keep freed memory resident (see `docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    yeondae_api::cli::main()
}
