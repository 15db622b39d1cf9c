fn main() {
    let req = 1;
    spindle::info!("{req.get(1)}", req);
    spindle::info!("{req.f().g}", req);
}
