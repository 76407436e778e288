//! Helpers shared by nn's examples and integration tests (which live in `examples/` and
//! `tests/`): the data sets in `examples/data/`, a stratified split and standardisation.
//! This library is not part of nn; it also runs the README's code blocks as doctests.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

use nn::SVector;
use rand::{rngs::SmallRng, seq::SliceRandom, SeedableRng};

/// A classification data set: inputs, one-hot targets and the class labels.
#[derive(Clone, Debug, Default)]
pub struct Dataset<const I: usize, const O: usize> {
    /// The inputs.
    pub x: Vec<SVector<f32, I>>,
    /// The targets, one-hot.
    pub y: Vec<SVector<f32, O>>,
    /// The class of each sample.
    pub labels: Vec<usize>,
}

impl<const I: usize, const O: usize> Dataset<I, O> {
    /// Parses CSV rows of `I` numbers and a class in `0..O`; `skip` header lines.
    ///
    /// # Panics
    /// On a malformed row: the files are part of the repository.
    #[must_use]
    pub fn parse(csv: &str, skip: usize) -> Self {
        let mut data = Self::default();
        for line in csv.lines().skip(skip).filter(|l| !l.trim().is_empty()) {
            let v: Vec<f32> = line
                .split(',')
                .map(|s| s.trim().parse().expect("a number"))
                .collect();
            assert_eq!(v.len(), I + 1, "a row of {I} inputs and a class: {line}");
            let class = v[I] as usize;
            data.x.push(SVector::from_column_slice(&v[..I]));
            data.y
                .push(SVector::from_fn(|r, _| f32::from(u8::from(r == class))));
            data.labels.push(class);
        }
        data
    }

    /// The samples at `indices`.
    #[must_use]
    pub fn subset(&self, indices: &[usize]) -> Self {
        Self {
            x: indices.iter().map(|&i| self.x[i]).collect(),
            y: indices.iter().map(|&i| self.y[i]).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// Splits into `(train, test)` with `test_fraction` of every class in the test part,
    /// shuffled by `seed`.
    #[must_use]
    pub fn stratified_split(&self, test_fraction: f64, seed: u64) -> (Self, Self) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for class in 0..O {
            let mut idx: Vec<usize> = (0..self.labels.len())
                .filter(|&i| self.labels[i] == class)
                .collect();
            idx.shuffle(&mut rng);
            let n_test = (idx.len() as f64 * test_fraction).round() as usize;
            test.extend_from_slice(&idx[..n_test]);
            train.extend_from_slice(&idx[n_test..]);
        }
        train.shuffle(&mut rng);
        test.shuffle(&mut rng);
        (self.subset(&train), self.subset(&test))
    }

    /// Scales every input feature to mean 0 and standard deviation 1 with the statistics of
    /// `self` (the training part), applied to `self` and to each of `others`; returns the
    /// means and standard deviations (1 where a feature is constant).
    pub fn standardize(&mut self, others: &mut [&mut Self]) -> (SVector<f32, I>, SVector<f32, I>) {
        let n = self.x.len() as f32;
        let mean = self.x.iter().sum::<SVector<f32, I>>() / n;
        let var = self
            .x
            .iter()
            .map(|x| (x - mean).map(|v| v * v))
            .sum::<SVector<f32, I>>()
            / n;
        let std = var.map(|v| if v > 0.0 { v.sqrt() } else { 1.0 });
        for data in std::iter::once(self).chain(others.iter_mut().map(|d| &mut **d)) {
            for x in &mut data.x {
                *x = (*x - mean).component_div(&std);
            }
        }
        (mean, std)
    }
}

/// Fisher's iris: 150 flowers, 4 measurements, 3 classes.
#[must_use]
pub fn iris() -> Dataset<4, 3> {
    Dataset::parse(include_str!("../examples/data/iris.csv"), 1)
}

/// The UCI handwritten digits as CSV: 64 pixel counts (0..16, row by row) and the digit.
pub const DIGITS_CSV: &str = include_str!("../examples/data/digits.csv");

/// The UCI handwritten digits: 1797 images of 8x8 pixels (0..16), 10 classes.
#[must_use]
pub fn digits() -> Dataset<64, 10> {
    Dataset::parse(DIGITS_CSV, 0)
}
