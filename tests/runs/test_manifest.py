from sstar_dspy.runs.manifest import RunManifest, canonical_hash, file_sha256, package_versions


def test_config_hash_depends_only_on_settings_and_data():
    a = RunManifest.create(command=["a"], settings={"n": 4, "rounds": 2}, data={"source": "s"}, models={})
    b = RunManifest.create(command=["b"], settings={"rounds": 2, "n": 4}, data={"source": "s"}, models={"g": "m"})
    assert (
        a.config_hash == b.config_hash == canonical_hash({"settings": {"n": 4, "rounds": 2}, "data": {"source": "s"}})
    )


def test_config_diff_lists_every_change():
    m = RunManifest.create(command=[], settings={"n": 4, "method": "sstar"}, data={"source": "x"}, models={})
    assert m.config_diff({"n": 4, "method": "sstar"}, {"source": "x"}) == []
    assert m.config_diff({"n": 8, "method": "sstar", "seed": 1}, {"source": "y"}) == [
        "settings.n: 4 -> 8",
        "settings.seed: null -> 1",
        "data.source: x -> y",
    ]


def test_versions_and_file_hash(tmp_path):
    versions = package_versions()
    assert {"python", "dspy"} <= set(versions)
    f = tmp_path / "d.jsonl"
    f.write_bytes(b"abc")
    assert file_sha256(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
