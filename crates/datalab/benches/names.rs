//! Name comparison and sampling, the linkage and generator hot paths.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datalab::names::{self, Heritage, NICKNAMES};
use datalab::person::Gender;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn compare(c: &mut Criterion) {
    let all: Vec<&str> = NICKNAMES
        .iter()
        .flat_map(|&(f, n)| std::iter::once(f).chain(n.iter().copied()))
        .collect();
    let pairs: Vec<(&str, &str)> = all
        .iter()
        .zip(all.iter().rev())
        .map(|(a, b)| (*a, *b))
        .collect();
    let mut g = c.benchmark_group("names");
    g.throughput(Throughput::Elements(pairs.len() as u64));
    g.bench_function("same_first_name", |b| {
        b.iter(|| {
            pairs
                .iter()
                .filter(|(x, y)| names::same_first_name(x, y))
                .count()
        })
    });
    g.bench_function("fold", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|(x, _)| names::fold(x).len())
                .sum::<usize>()
        })
    });
    g.throughput(Throughput::Elements(1_000));
    g.bench_function("full_name", |b| {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        b.iter(|| {
            (0..1_000)
                .map(|i| {
                    names::full_name(Heritage::British, Gender::Male, 1970 + i % 40, &mut rng)
                        .surname
                        .len()
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
