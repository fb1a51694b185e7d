-- The Planning Center workflow cards made for certifications due for renewal: one per person,
-- certification, expiry and workflow, so each is made once. This computer's bookkeeping (the
-- card's note also names what it is for, so a card made before a crash, or by another computer
-- that held the sync lease, is found in Planning Center and not made again).
CREATE TABLE pco_renewal_card (
    people_id           TEXT NOT NULL,
    certification_id    TEXT NOT NULL,
    expires_on          TEXT NOT NULL,
    workflow_id         TEXT NOT NULL,
    made_at             TEXT NOT NULL,
    PRIMARY KEY (people_id, certification_id, expires_on, workflow_id)
) WITHOUT ROWID;
