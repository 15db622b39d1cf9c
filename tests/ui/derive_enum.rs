#[derive(spindle::LogSource)]
enum Shape {
    Circle,
}

#[derive(spindle::LogSource)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
