"""What scikit-learn's MLPClassifier reaches on the examples' data, for the README's comparison.

One hidden layer (32 relu units for digits, 16 for iris), Adam, inputs standardised on the
training part, stratified 80/20 splits with seeds 0..4; prints each split's test accuracy and fit
time, and their mean and range. Needs numpy and scikit-learn:

    pip install scikit-learn && python3 scripts/sklearn_baseline.py
"""
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

DATA = Path(__file__).resolve().parent.parent / "examples" / "data"


def load(name, header):
    rows = np.loadtxt(DATA / name, delimiter=",", skiprows=header)
    return rows[:, :-1], rows[:, -1].astype(int)


for name, header, hidden in [("digits.csv", 1, 32), ("iris.csv", 1, 16)]:
    x, y = load(name, header)
    accuracies, times = [], []
    for seed in range(5):
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
        scaler = StandardScaler().fit(xtr)
        model = MLPClassifier(hidden_layer_sizes=(hidden,), max_iter=1000, random_state=seed)
        start = time.perf_counter()
        model.fit(scaler.transform(xtr), ytr)
        times.append(time.perf_counter() - start)
        accuracies.append(model.score(scaler.transform(xte), yte))
        print(f"{name} seed {seed}: test accuracy {accuracies[-1]:.2%}, fit {times[-1]:.2f} s")
    print(
        f"{name}: mean test accuracy {np.mean(accuracies):.2%} "
        f"({min(accuracies):.2%} to {max(accuracies):.2%}), "
        f"fit {min(times):.2f} to {max(times):.2f} s"
    )
