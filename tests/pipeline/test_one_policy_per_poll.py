"""A poll decides and drafts every batch with one policy object: an edit of the policy file
while the poll runs reaches neither the decisions nor the drafts of that poll."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import select

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import DecisionRecord, Draft
from base.policies import policies_by_mailbox
from pipeline.poll import PollContext, poll_all
from testing import MailUser
from tests.intake.imap_setup import POLICY, fill, write_config

OLD_VERSION, OLD_DAYS = "2024-11-11", 3


def test_a_policy_edited_mid_poll_changes_neither_decisions_nor_drafts(
        tmp_path: Path, mailbox_user: MailUser) -> None:
    policy = tmp_path / "kreatorz.toml"
    shutil.copy(POLICY, policy)
    path = write_config(tmp_path, mailbox_user, batch_size=2)
    path.write_text(path.read_text().replace(str(POLICY), str(policy)))
    fill(mailbox_user, 8)
    config = load_config(path)
    edits = []

    def edit_policy_after_first_batch(mailbox: str, done: int, total: int) -> None:
        if not edits:
            text = policy.read_text()
            assert f'version = "{OLD_VERSION}"' in text and f"response_business_days = {OLD_DAYS}" in text
            text = text.replace(f'version = "{OLD_VERSION}"', 'version = "2099-01-01"')
            policy.write_text(text.replace(f"response_business_days = {OLD_DAYS}",
                                           "response_business_days = 9"))
            edits.append(done)

    engine = make_engine(config.database_url)
    try:
        [report] = poll_all(PollContext(engine, session_factory(engine), config,
                                        policies=policies_by_mailbox(config),
                                        progress=edit_policy_after_first_batch))
        assert report.ok and report.stored == 8, report
        assert edits == [2], "the policy file was edited after the first of four batches"
        with session_factory(engine)() as session:
            versions = set(session.scalars(select(DecisionRecord.policy_version)))
            promised = [re.findall(r"within (\d+) business days", text)
                        for text in session.scalars(select(Draft.body_text))]
    finally:
        engine.dispose()
    assert versions == {OLD_VERSION}
    assert len(promised) >= 8 and all(days == [str(OLD_DAYS)] for days in promised), promised
