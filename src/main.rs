#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    bankgate::cli::main()
}
