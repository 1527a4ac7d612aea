//! Time per photo: decode, detect, landmarks, align and describe
//! (`Engine::analyse`) on obama.jpg (910 x 1137, one face), and the parts.
//!
//! ```sh
//! cargo bench -p face --bench face
//! ```

use criterion::{Criterion, criterion_group, criterion_main};
use face::{Engine, Recogniser};

fn photo() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/faces/obama.jpg"
    ))
    .expect("the test photo")
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new().unwrap();
    let bytes = photo();
    let mut g = c.benchmark_group("face");
    g.sample_size(20);
    g.bench_function("analyse obama.jpg (decode+detect+describe)", |b| {
        b.iter(|| engine.analyse(std::hint::black_box(&bytes)).unwrap())
    });
    let img = image::load_from_memory(&bytes).unwrap().into_rgb8();
    g.bench_function("decode obama.jpg", |b| {
        b.iter(|| image::load_from_memory(std::hint::black_box(&bytes)).unwrap())
    });
    g.bench_function("detect+landmarks+align obama.jpg", |b| {
        b.iter(|| engine.chips(std::hint::black_box(&img)))
    });
    let chip = engine.chips(&img).remove(0);
    let net = face::FaceApiResNet::new().unwrap();
    g.bench_function("describe one 150x150 chip", |b| {
        b.iter(|| net.describe(std::hint::black_box(&chip)))
    });
    g.bench_function("Engine::new (parse all weights)", |b| {
        b.iter(|| Engine::new().unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
