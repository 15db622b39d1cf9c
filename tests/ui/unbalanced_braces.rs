fn main() {
    let x = 1;
    spindle::info!("open {x", x);
    spindle::info!("close x}", x);
    spindle::info!("angle <x", x);
}
