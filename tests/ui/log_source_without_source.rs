fn main() {
    spindle::info!("{log_source.value}");
}
