fn main() {
    let req = 1;
    spindle::info!("{reqq.uri}", req);
    spindle::info!("{count} items");
}
