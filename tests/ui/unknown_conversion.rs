fn main() {
    let x = 1;
    spindle::info!("{x!z} {x!}", x);
}
