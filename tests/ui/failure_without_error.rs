fn main() {
    spindle::failure!("no error given");
    spindle::emit!();
}
