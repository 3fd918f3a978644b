"""Shipped digits equal scikit-learn's bundled copy; numpy PCA equals scikit-learn's."""
import numpy as np
import pytest

from core.datasets import digits, pca


def test_shipped_digits_match_scikit_learn():
    from sklearn.datasets import load_digits
    x, y = digits()
    ref = load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    np.testing.assert_array_equal(x * 16, ref.data)
    np.testing.assert_array_equal(y, ref.target)
    with pytest.raises(ValueError):
        x[0, 0] = 1.0  # shared and cached: read-only


def test_pca_matches_scikit_learn_reconstruction():
    from sklearn.decomposition import PCA
    x, _ = digits()
    mean, comps, proj = pca(x, 2)
    ref = PCA(2).fit(x)
    np.testing.assert_allclose(np.abs(comps), np.abs(ref.components_), atol=1e-4)
    rec = mean + proj @ comps
    ref_rec = ref.inverse_transform(ref.transform(x))
    np.testing.assert_allclose(rec, ref_rec, atol=1e-4)
    assert np.allclose(comps @ comps.T, np.eye(2), atol=1e-5)
