fn main() {
    spindle::info!("x", log_level = 1, log_source = 2);
    spindle::info!("{log_namespace}");
}
