fn main() {
    let x = 1;
    spindle::info!("{x:zz} {x:1$}", x);
}
