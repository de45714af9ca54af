import pickle

import train


def test_the_data_is_the_version_dvc_tracks() -> None:
    assert train.data_md5() == train.tracked_md5()  # `dvc pull` brought data/iris.csv.dvc's


def test_data_split_is_stratified_and_stable() -> None:
    x_train, x_test, y_train, y_test = train.load_data(seed=0)
    assert len(x_train) == 105 and len(x_test) == 45
    assert sorted(set(y_test)) == [0, 1, 2]


def test_training_learns_something() -> None:
    model, history = train.train(epochs=15)
    assert len(history) == 15
    assert history[-1]["test_accuracy"] > 0.8
    restored = pickle.loads(pickle.dumps(model))
    assert list(restored.predict([[5.1, 3.5, 1.4, 0.2]])) == [0]
