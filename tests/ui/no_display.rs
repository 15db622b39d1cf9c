fn main() {
    let v = vec![1, 2];
    spindle::info!("{v}", v);
}
