#[derive(spindle::LogSource)]
struct Request {
    #[log(hide)]
    token: String,
    #[log(skip, redact)]
    other: String,
}

fn main() {}
