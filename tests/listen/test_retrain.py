"""Retraining the news classifier from analysts' corrections: versions with their evaluation, the promotion rule,
activation and roll-back, serving, the button and the command. A tiny grid keeps each training to seconds; the
shared data folder is one that does not exist, so only the corrections in the database are used."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from loa.listen import classifying
from loa.listen import retrain as service
from loa.listen.classify.classifier import Classifier, load_classifier
from loa.listen.classify.data import Labelled, held_out
from loa.listen.models import ClassifierVersion, Item, VersionStatus
from loa.people.models import User
from tests.conftest import client_for
from tests.listen import seeding
from tests.listen.fakes import FAKE_PATH, KeywordClassifier

pytestmark = pytest.mark.django_db

TINY = {
    "features": {"char_range": (2, 4), "word_range": (1, 1), "max_char": 4000, "max_word": 1500},
    "title_weight": (0.0,),
    "relevance_C": (4.0,),
    "tone_C": (4.0,),
    "topic_C": (4.0,),
}
PLACES = ("Nghệ An", "Hà Tĩnh", "Hà Nội", "Thanh Hóa", "Quảng Bình", "Huế", "Đà Nẵng", "Cần Thơ", "Lào Cai")
RELEVANT = {
    "negative": (
        "Người lao động ở {p} phản ánh bị chậm chi trả bảo hiểm xã hội nhiều tháng",
        "Doanh nghiệp tại {p} nợ đóng bảo hiểm xã hội, công nhân bức xúc",
    ),
    "positive": (
        "Bảo hiểm xã hội {p} chi trả lương hưu kịp thời, người dân hài lòng",
        "Người dân {p} khen thủ tục hưởng bảo hiểm xã hội nhanh gọn, thuận tiện",
    ),
    "neutral": (
        "Bảo hiểm xã hội {p} thông báo lịch chi trả lương hưu tháng tới",
        "Bảo hiểm xã hội {p} hướng dẫn thủ tục đăng ký bảo hiểm xã hội tự nguyện",
    ),
}
TOPIC = {"negative": "compulsory_contributions_and_evasion", "positive": "pension_and_retirement"}
IRRELEVANT = (
    "Ưu đãi bảo hiểm ô tô giảm giá cho xe mới mua tại {p}",
    "Mua bảo hiểm thân vỏ xe hơi trực tuyến, quà tặng hấp dẫn ở {p}",
    "Giá vàng hôm nay tại {p} tăng mạnh",
)


@pytest.fixture(autouse=True)
def _no_shipped_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: object) -> None:
    """No shipped model to compare with (so the first version is promoted); model files in a temporary folder."""
    monkeypatch.setattr(service, "shipped_file", lambda: tmp_path / "absent.joblib")
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    classifying.clear_cache()


@pytest.fixture
def missing_data(tmp_path: Path) -> Path:
    return tmp_path / "no-shared-data"


def _corrected(title: str, number: int, *, relevant: bool, tone: str, topics: list[str]) -> Item:
    """A stored item (classifier said the opposite) with an analyst's correction."""
    when = timezone.now() - dt.timedelta(hours=number)
    item = seeding.item(title, when, relevant=not relevant, tone="neutral", url=f"https://bao.test/tin/{number}")
    Item.objects.filter(pk=item.pk).update(
        label_relevant=relevant,
        label_tone=tone if relevant else "",
        label_topics=topics,
        labelled_at=timezone.now(),
    )
    return item


@pytest.fixture
def corrections() -> list[Item]:
    made, number = [], 0
    for place in PLACES:
        for tone, templates in RELEVANT.items():
            for template in templates:
                number += 1
                topics = [TOPIC.get(tone, "law_and_policy_changes")]
                made.append(_corrected(template.format(p=place), number, relevant=True, tone=tone, topics=topics))
        for template in IRRELEVANT:
            number += 1
            made.append(_corrected(template.format(p=place), number, relevant=False, tone="", topics=[]))
    return made


def _held(item: Item) -> bool:
    return held_out(service.item_id(item.url))


def test_retrain_stores_an_evaluated_version_that_serves(
    alice: User, corrections: list[Item], missing_data: Path, settings: object
) -> None:
    version = service.retrain(alice, data=missing_data, config=TINY)
    assert version.status == VersionStatus.READY, version.error
    assert version.repo_items == 0 and version.corrections == len(corrections)
    assert "dữ liệu dùng chung" in version.note  # the missing shared folder is noted, training went on
    held = version.evaluation["corrections"]
    assert held["n"] == sum(_held(i) for i in corrections) > 0
    assert held["relevance"]["f1"] >= 0.9 and held["tone"]["macro_f1"] >= 0.5
    assert set(held["relevance"]) >= {"precision", "recall", "f1"} and "accuracy" in held["topics"]
    assert version.evaluation["held_out"] == {"n": 0}
    assert version.cv["relevance"]["f1"] > 0
    path = Path(version.path)
    assert path.exists() and path.parent == Path(settings.DATA_DIR) / "listen" / "models"  # type: ignore[attr-defined]
    # nothing served before: promoted automatically, and the default factory now serves its file
    assert version.active and version.created_by == alice and version.activated_by == alice
    assert ClassifierVersion.objects.filter(active=True).count() == 1
    settings.LISTEN_CLASSIFIER = classifying.DEFAULT_FACTORY  # type: ignore[attr-defined]
    served = classifying.default_classifier()
    assert served is load_classifier(path) and isinstance(served, Classifier)
    results = served.classify([{"id": "x", "title": RELEVANT["negative"][0].format(p="Hải Phòng")}])
    assert results[0]["relevant"] == 1
    # tests' fake factories keep working whatever is active
    settings.LISTEN_CLASSIFIER = FAKE_PATH  # type: ignore[attr-defined]
    classifying.clear_cache()
    assert isinstance(classifying.default_classifier(), KeywordClassifier)


def test_corrections_train_only_on_their_training_part(corrections: list[Item], missing_data: Path) -> None:
    version = service.retrain(None, data=missing_data, config=TINY)
    model = Classifier.from_file(Path(version.path)).model
    ids = {service.item_id(i.url) for i in corrections}
    assert set(model["train_ids"]) == {i for i in ids if not held_out(i)}


def test_worse_version_is_kept_but_not_promoted_then_activated_and_rolled_back(
    alice: User, corrections: list[Item], missing_data: Path, settings: object
) -> None:
    good = service.retrain(alice, data=missing_data, config=TINY)
    assert good.active
    # Analysts "correct" the training part the wrong way round; the held-out part keeps its true labels.
    tones = ("negative", "neutral", "positive")
    for k, item in enumerate(Item.objects.get(pk=i.pk) for i in corrections if not _held(i)):
        flipped = not item.eff_relevant
        update = {"label_relevant": flipped, "label_tone": tones[k % 3] if flipped else ""}
        Item.objects.filter(pk=item.pk).update(**update, label_topics=["other"] if flipped else [])
    worse = service.retrain(alice, data=missing_data, config=TINY)
    assert worse.status == VersionStatus.READY, worse.error
    promotion = worse.evaluation["promotion"]
    assert not promotion["auto"] and not worse.active
    assert promotion["baseline"]["relevance_f1"] == good.evaluation["corrections"]["relevance"]["f1"]
    assert worse.evaluation["corrections"]["relevance"]["f1"] < good.evaluation["corrections"]["relevance"]["f1"] - 0.02
    good.refresh_from_db()
    assert good.active  # the better model still serves

    settings.LISTEN_CLASSIFIER = classifying.DEFAULT_FACTORY  # type: ignore[attr-defined]
    response = client_for(alice).post(reverse("listen:version_activate", args=[worse.pk]))
    assert response.status_code == 302
    worse.refresh_from_db()
    good.refresh_from_db()
    assert worse.active and not good.active and worse.activated_by == alice
    entry = LogEntry.objects.get_for_object(worse).latest("timestamp")
    assert entry.actor == alice and "active" in entry.changes_dict
    assert classifying.default_classifier() is load_classifier(worse.path)

    client_for(alice).post(reverse("listen:version_activate", args=[good.pk]))  # roll back
    good.refresh_from_db()
    worse.refresh_from_db()
    assert good.active and not worse.active
    assert classifying.default_classifier() is load_classifier(good.path)


def test_not_enough_labels_fails_without_touching_the_serving_model(alice: User, missing_data: Path) -> None:
    for number, title in enumerate(IRRELEVANT):
        _corrected(title.format(p="Huế"), number, relevant=False, tone="", topics=[])
    version = service.retrain(alice, data=missing_data, config=TINY)
    assert version.status == VersionStatus.FAILED and "Chưa đủ nhãn" in version.error
    assert version.path == "" and not version.active
    assert not list(service.models_dir().glob("*.joblib"))
    assert classifying.active_model_file() is None


def test_analyst_label_overrides_the_repository_label_of_the_same_item(monkeypatch: pytest.MonkeyPatch) -> None:
    item = _corrected("Quảng cáo bảo hiểm ô tô trả góp", 1, relevant=False, tone="", topics=[])
    same = service.item_id(item.url)

    def repo(_data: Path) -> list[Labelled]:
        label = {"text": "t", "tone": "negative", "topics": ["other"], "provinces": [], "sure": True}
        return [Labelled(id=same, relevant=1, **label), Labelled(id="other-id", relevant=1, **label)]

    monkeypatch.setattr(service, "read_labelled", repo)
    kept, corrections, note = service.collect(None)
    assert [r.id for r in kept] == ["other-id"] and note == ""
    assert [(c.id, c.relevant, c.tone, c.held_out) for c in corrections] == [(same, 0, None, held_out(same))]
    assert corrections[0].text == "Quảng cáo bảo hiểm ô tô trả góp. Quảng cáo bảo hiểm ô tô trả góp"


def test_prune_keeps_newest_files_and_the_active_one(tmp_path: Path) -> None:
    folder = service.models_dir()
    folder.mkdir(parents=True)
    versions = []
    for n in range(4):
        path = folder / f"v{n}.joblib"
        path.write_bytes(b"x")
        version = ClassifierVersion.objects.create(status=VersionStatus.READY, path=str(path), active=n == 0)
        ClassifierVersion.objects.filter(pk=version.pk).update(created_at=timezone.now() - dt.timedelta(days=10 - n))
        versions.append(version)
    removed = service.prune(keep=2)
    assert removed == [versions[1].pk]  # v0 is active, v2 and v3 are the newest two
    assert not (folder / "v1.joblib").exists() and (folder / "v0.joblib").exists()
    assert ClassifierVersion.objects.count() == 4  # rows stay
    assert ClassifierVersion.objects.get(pk=versions[1].pk).path == ""


def test_page_button_and_permissions(alice: User, olivia: User, bob: User) -> None:
    from django_tasks_db.models import DBTaskResult

    from loa.listen.retrain_tasks import retrain_task

    url = reverse("listen:versions_retrain")
    assert client_for(olivia).post(url).status_code == 403
    assert client_for(bob).post(url).status_code == 403
    assert not DBTaskResult.objects.filter(task_path=retrain_task.module_path).exists()
    assert client_for(alice).get(url).status_code == 405  # POST only
    response = client_for(alice).post(url)
    assert response.status_code == 302 and response["Location"] == reverse("listen:versions")
    queued = DBTaskResult.objects.get(task_path=retrain_task.module_path)
    assert queued.status == "READY" and queued.args_kwargs["args"] == [alice.pk]
    client_for(alice).post(url)  # a second click while the first waits does not queue a second training
    assert DBTaskResult.objects.filter(task_path=retrain_task.module_path).count() == 1

    folder = service.models_dir()
    folder.mkdir(parents=True)
    (folder / "m.joblib").write_bytes(b"x")
    ready = ClassifierVersion.objects.create(
        status=VersionStatus.READY,
        path=str(folder / "m.joblib"),
        evaluation={"promotion": {"auto": False, "reason": "Kém hơn mô hình đi kèm Loa"}},
    )
    assert client_for(olivia).post(reverse("listen:version_activate", args=[ready.pk])).status_code == 403
    ready.refresh_from_db()
    assert not ready.active
    page = client_for(alice).get(reverse("listen:versions")).content.decode()
    assert "Huấn luyện lại" in page and "Dùng phiên bản này" in page and "Kém hơn mô hình đi kèm Loa" in page
    assert "mô hình đi kèm Loa." in page  # nothing active: the shipped model serves
    seen = client_for(olivia).get(reverse("listen:versions")).content.decode()
    assert "Kém hơn mô hình đi kèm Loa" in seen and "Dùng phiên bản này" not in seen and url not in seen
    review = client_for(olivia).get(reverse("listen:review")).content.decode()
    assert reverse("listen:versions") in review


def test_cli_retrain_prints_the_evaluation(
    corrections: list[Item], missing_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loa.listen.classify import train
    from loa.listen.cli_retrain import retrain_app

    monkeypatch.setattr(train, "CONFIG", {**train.CONFIG, **TINY})  # the command trains with the shipped grid
    result = CliRunner().invoke(retrain_app, ["retrain", "--data", str(missing_data), "--quiet"])
    assert result.exit_code == 0, result.output
    version = ClassifierVersion.objects.get()
    assert f"Phiên bản #{version.pk}" in result.output
    assert "Phần giữ lại của tin cán bộ đã sửa" in result.output and "macro-F1" in result.output
    assert "ĐANG DÙNG" in result.output


def test_a_version_abandoned_by_a_stopped_worker_is_closed_by_the_next_retrain(
    alice: User, corrections: list[Item], missing_data: Path
) -> None:
    stuck = ClassifierVersion.objects.create(created_by=alice)  # "training", its worker gone
    ClassifierVersion.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(hours=7))
    recent = ClassifierVersion.objects.create(created_by=alice)  # may still be running: left alone
    service.retrain(alice, data=missing_data, config=TINY)
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == VersionStatus.FAILED and "dừng giữa chừng" in stuck.error
    assert recent.status == VersionStatus.TRAINING
