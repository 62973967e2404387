from bot.bank import QuestionBank
from bot.topics import TopicIndex


def test_ids_aliases_and_names_match_case_insensitively(bank: QuestionBank) -> None:
    index = TopicIndex(bank.topics)
    assert index.resolve("ECS") is not None and index.resolve("ECS").id == "ecs"  # type: ignore[union-attr]
    for query, topic in [
        ("k8s", "kubernetes"),
        ("VMs", "containers-vs-vms"),
        ("vm", "containers-vs-vms"),
        ("Amazon EKS", "eks"),
        ("step functions", "supporting"),
        ("Podman", "oci"),
    ]:
        found = index.resolve(query)
        assert found is not None and found.id == topic, query


def test_typos_get_the_nearest_topics(bank: QuestionBank) -> None:
    index = TopicIndex(bank.topics)
    assert index.resolve("ecx") is None
    assert index.suggest("ecx")[:2] == ("ecs", "ecr")
    assert index.suggest("kubernets") == ("kubernetes",)
    assert index.suggest("lamda")[0] == "lambda"
    assert index.suggest("zzzzzz") == ()


def test_completion_offers_prefix_matches_then_near_ones(bank: QuestionBank) -> None:
    ids = [t.id for t in TopicIndex(bank.topics).complete("ec")]
    assert {"ecs", "ecr", "eks"} <= set(ids)
    assert ids.index("ecs") < ids.index("eks")
