fn main() {
    let x = 1;
    spindle::info!("{x}", x, x = 2);
}
