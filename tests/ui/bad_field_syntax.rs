fn main() {
    let x = 1;
    spindle::info!("{x}", 5);
    spindle::info!("{x}", x.y);
    spindle::info!(level: 3, "{x}", x);
}
