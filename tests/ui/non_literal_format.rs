fn main() {
    let fmt = "{x}";
    let x = 1;
    spindle::info!(fmt, x);
    spindle::info!(concat!("a", "b"));
}
