//! How long the whole PKI takes to generate (RSA key generation dominates), and one key alone.
//! Run with `cargo bench -p insilab-certs`; figures go to docs/performance.md ("pki").

use criterion::{Criterion, criterion_group, criterion_main};
use insilab_certs::{PkiOptions, generate};

fn whole_pki(c: &mut Criterion) {
    let mut group = c.benchmark_group("pki");
    // Each iteration takes seconds: the minimum sample count keeps the run to a few minutes.
    group.sample_size(10);
    let mut seed = 0;
    group.bench_function("generate_whole_pki", |b| {
        b.iter(|| {
            // A new seed each time: the work must not be served from any cache.
            seed += 1;
            let opts = PkiOptions {
                seed,
                ..insilab_certs::testing::shared_options()
            };
            generate(&opts).map(|pki| pki.files.len())
        })
    });
    group.finish();
}

criterion_group!(benches, whole_pki);
criterion_main!(benches);
