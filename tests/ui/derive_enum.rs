#[derive(spindle::LogSource)]
enum Shape {
    Circle,
}

fn main() {}
