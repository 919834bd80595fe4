fn main() -> anyhow::Result<()> {
    yeondae_api::cli::main()
}
