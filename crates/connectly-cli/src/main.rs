//! The `connectly` command-line tool.

fn main() -> std::process::ExitCode {
    connectly_cli::main()
}
