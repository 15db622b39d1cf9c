fn main() {
    let x = 1;
    spindle::info!("{} and {0} and <0>", x);
}
