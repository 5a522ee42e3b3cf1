"""Surveys in the room: question versions, the five-answer threshold, changing an answer until
the group closes, the 24-hour limit, who sees the results, and completing a programme."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from helseiarbeid.app import create_app
from helseiarbeid.company_track import services as company
from helseiarbeid.company_track.schemas import EvaluationRecord, SessionKind
from helseiarbeid.core.clock import pinned
from helseiarbeid.core.errors import Conflict, NotFound
from helseiarbeid.surveys import services
from helseiarbeid.surveys.schemas import GroupState, SurveyOut
from helseiarbeid.surveys.tables import SurveyAnswer, SurveyParticipant
from tests.cast import sign_in
from tests.surveys.conftest import Phone, Setting, form_token

PhoneMaker = Callable[..., Phone]


@pytest.fixture
async def phones(database: str) -> AsyncIterator[PhoneMaker]:
    """Make phones, each with its own cookies, against one in-process app."""
    app = create_app()
    clients: list[httpx.AsyncClient] = []

    def make(address: str = "10.0.0.1") -> Phone:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(http)
        return Phone(http)

    yield make
    for http in clients:
        await http.aclose()


async def _started(setting: Setting, kind: SessionKind = SessionKind.MODULE_1) -> SurveyOut:
    session_id = await setting.session(kind)
    survey_id = await services.start_survey(setting.cast["kari"], session_id)
    return await services.get_survey(setting.cast["kari"], survey_id)


async def _answering(
    setting: Setting, make: PhoneMaker, count: int
) -> tuple[SurveyOut, list[Phone], dict[str, int]]:
    """A module 1 survey with its first group («Hvor nyttig…») open and ``count`` phones in;
    returns the survey, the phones and the option ids by text."""
    survey = await _started(setting)
    group = survey.groups[0]
    await services.open_group(setting.cast["per"], survey.id, group.id)
    joined = []
    for _ in range(count):
        phone = make()
        assert (await phone.join(survey.code.lower())).status_code == 303
        joined.append(phone)
    options = {o.text: o.id for o in group.questions[0].options}
    return survey, joined, options


async def test_question_versions_are_retired_never_edited(setting: Setting) -> None:
    first = await _started(setting)
    asked = [(q.key, q.version, q.text) for g in first.groups for q in g.questions]
    assert ("m1.nyttig", 1, "Hvor nyttig var modulen for deg?") in asked

    await services.new_question_version(
        "m1.nyttig", "Hvor nyttig var modulen for arbeidsdagen din?", ["Mye", "Litt", "Lite"]
    )
    await services.retire_question("m1.hvem-kontakte")

    kept = await services.get_survey(setting.cast["kari"], first.id)
    assert [(q.key, q.version, q.text) for g in kept.groups for q in g.questions] == asked
    assert next(o.text for o in kept.groups[0].questions[0].options) == "Svært nyttig"

    await services.close_survey(setting.cast["kari"], first.id)
    second = await _started(setting)
    now_asked = {q.key: (q.version, q.text) for g in second.groups for q in g.questions}
    assert now_asked["m1.nyttig"] == (2, "Hvor nyttig var modulen for arbeidsdagen din?")
    assert "m1.hvem-kontakte" not in now_asked
    assert [o.text for o in second.groups[0].questions[0].options] == ["Mye", "Litt", "Lite"]
    with pytest.raises(NotFound):
        await services.retire_question("m1.hvem-kontakte")


async def test_five_answers_show_the_chart_and_answers_change_until_closed(
    setting: Setting, phones: PhoneMaker, client: httpx.AsyncClient
) -> None:
    survey, joined, options = await _answering(setting, phones, 5)
    for phone in joined:
        response = await phone.answer({survey.groups[0].questions[0].item_id: options["Nyttig"]})
        assert response.status_code == 303, response.text
    item = survey.groups[0].questions[0].item_id
    changed = await joined[0].answer({item: options["Svært nyttig"]})
    assert changed.status_code == 303
    assert "Svarene er lagret" in (await joined[0].http.get(changed.headers["location"])).text

    count = await services.count(setting.cast["kari"], survey.id)
    assert (count.joined, count.answered) == (5, 5)
    open_now = await services.get_survey(setting.cast["kari"], survey.id)
    assert not open_now.groups[0].questions[0].shown  # nothing before the group is closed

    still_open_page = await joined[1].question_page()
    await services.close_group(setting.cast["kari"], survey.id, survey.groups[0].id)
    late = await joined[1].send(still_open_page, {item: options["Ikke nyttig"]})
    assert late.status_code == 409
    assert "lukket" in late.text
    # Nothing for the phone to correct: a notice, not «Dette må rettes».
    assert "Dette må rettes" not in late.text

    result = (await services.get_survey(setting.cast["kari"], survey.id)).groups[0]
    assert result.state is GroupState.CLOSED
    counts = {o.text: o.count for o in result.questions[0].options}
    assert counts == {"Svært nyttig": 1, "Nyttig": 4, "Lite nyttig": 0, "Ikke nyttig": 0}
    assert await SurveyAnswer.count() == 5

    await sign_in(client, setting.cast["kari"])
    host = await client.get(f"/sporreundersokelser/{survey.id}")
    assert host.status_code == 200
    assert "<svg" in host.text
    assert "4 (80 %)" in host.text
    assert "For få svar" not in host.text
    assert "(versjon" not in host.text  # one version of every question: nothing to tell apart


async def test_four_answers_read_too_few(
    setting: Setting, phones: PhoneMaker, client: httpx.AsyncClient
) -> None:
    survey, joined, options = await _answering(setting, phones, 4)
    item = survey.groups[0].questions[0].item_id
    for phone in joined:
        assert (await phone.answer({item: options["Nyttig"]})).status_code == 303
    await services.close_group(setting.cast["kari"], survey.id, survey.groups[0].id)
    question = (await services.get_survey(setting.cast["kari"], survey.id)).groups[0].questions[0]
    assert (question.answered, question.shown) == (4, False)
    assert all(o.count == 0 for o in question.options)
    await sign_in(client, setting.cast["erik"])
    page = await client.get(f"/program/{setting.programme_id}/sporreundersokelser")
    assert "For få svar" in page.text
    assert "4 (100 %)" not in page.text


async def test_wrong_input_is_refused_and_nothing_is_stored(
    setting: Setting, phones: PhoneMaker
) -> None:
    survey, joined, options = await _answering(setting, phones, 1)
    stranger = phones()
    wrong = await stranger.join("ZZZZZZ")
    assert wrong.status_code == 422
    assert "Fant ingen åpen spørreundersøkelse med den koden." in wrong.text
    assert await SurveyParticipant.count() == 1

    other_item = survey.groups[1].questions[0].item_id  # a group that is not open
    refused = await joined[0].answer({other_item: options["Nyttig"]})
    assert refused.status_code == 422
    assert "Velg et av svaralternativene." in refused.text
    foreign_option = survey.groups[1].questions[0].options[0].id
    item = survey.groups[0].questions[0].item_id
    assert (await joined[0].answer({item: foreign_option})).status_code == 422
    assert await SurveyAnswer.count() == 0

    no_cookie = phones()
    no_cookie.code = survey.code
    page = await no_cookie.http.get(f"/svar/{survey.code}")
    assert page.status_code == 302
    assert page.headers["location"] == f"/svar?kode={survey.code}"


async def test_guessing_codes_is_slowed_down(setting: Setting, phones: PhoneMaker) -> None:
    await _started(setting)
    guesser = phones("10.9.9.9")
    answers = [(await guesser.join(f"ABCD{n:02d}")).status_code for n in range(21)]
    assert answers[:20] == [422] * 20
    assert answers[20] == 429


async def test_a_survey_closes_by_itself_after_24_hours(
    setting: Setting, phones: PhoneMaker
) -> None:
    session_id = await setting.session(SessionKind.MODULE_2)
    opened = datetime.now(UTC)
    with pinned(opened):
        survey_id = await services.start_survey(setting.cast["kari"], session_id)
        survey = await services.get_survey(setting.cast["kari"], survey_id)
        await services.open_group(setting.cast["kari"], survey_id, survey.groups[0].id)
    phone = phones()
    item = survey.groups[0].questions[0].item_id
    option = survey.groups[0].questions[0].options[0].id
    with pinned(opened + timedelta(hours=23, minutes=59)):
        assert (await phone.join(survey.code)).status_code == 303
        assert (await phone.answer({item: option})).status_code == 303
        assert (await services.count(setting.cast["kari"], survey_id)).is_open
        page_token = await phone.question_page()
    with pinned(opened + timedelta(hours=24)):
        late = phones()
        assert (await late.join(survey.code)).status_code == 422
        assert (await phone.send(page_token, {item: option})).status_code == 409
        ended = await services.get_survey(setting.cast["kari"], survey_id)
        assert not ended.is_open
        assert ended.ends_at == opened + timedelta(hours=24)
        assert ended.groups[0].state is GroupState.CLOSED
        assert ended.groups[1].state is GroupState.NOT_USED
        with pytest.raises(Conflict):
            await services.open_group(setting.cast["kari"], survey_id, survey.groups[1].id)
        findings = await company.completion_findings(setting.programme_id)
        assert not any(f.blocking for f in findings)


async def test_the_enterprise_sees_its_own_results_only(
    setting: Setting, phones: PhoneMaker, client: httpx.AsyncClient
) -> None:
    survey, joined, options = await _answering(setting, phones, 6)
    item = survey.groups[0].questions[0].item_id
    for phone in joined:
        assert (await phone.answer({item: options["Svært nyttig"]})).status_code == 303
    await services.close_survey(setting.cast["kari"], survey.id)

    await sign_in(client, setting.cast["erik"])
    own = await client.get(f"/program/{setting.programme_id}/sporreundersokelser")
    assert own.status_code == 200
    assert "6 (100 %)" in own.text
    assert "Start for" not in own.text  # hosting is for the team
    assert (await client.get(f"/sporreundersokelser/{survey.id}")).status_code == 403

    await sign_in(client, setting.olga)
    other = await client.get(f"/program/{setting.programme_id}/sporreundersokelser")
    assert other.status_code == 404
    with pytest.raises(NotFound):
        await services.programme_surveys(setting.olga, setting.programme_id)
    assert await services.programme_surveys(setting.olga, setting.other_programme_id) == []


async def test_completion_is_refused_while_a_survey_is_open(
    setting: Setting, client: httpx.AsyncClient
) -> None:
    kari = setting.cast["kari"]
    await setting.session(SessionKind.MODULE_3)
    evaluation = await setting.session(SessionKind.EVALUATION)
    warnings = [f.message for f in await company.completion_findings(setting.programme_id)]
    assert warnings == ["Evalueringsundersøkelsen er ikke gjennomført."]
    await sign_in(client, kari)
    page = await client.get(f"/program/{setting.programme_id}")
    assert "Evalueringsundersøkelsen er ikke gjennomført." in page.text

    survey_id = await services.start_survey(kari, evaluation)
    record = EvaluationRecord(assessment="Godt gjennomført.")
    with pytest.raises(Conflict, match="Avslutt den åpne spørreundersøkelsen"):
        await company.record_evaluation(kari, setting.programme_id, record)
    assert (await company.get_programme(kari, setting.programme_id)).status.value != "completed"

    await services.close_survey(kari, survey_id)
    assert await company.completion_findings(setting.programme_id) == []
    await company.record_evaluation(kari, setting.programme_id, record)
    assert (await company.get_programme(kari, setting.programme_id)).status.value == "completed"
    with pytest.raises(Conflict, match="fullført"):
        await services.start_survey(kari, evaluation)


async def test_after_the_survey_ends_the_counts_say_who_answered_and_who_joined(
    setting: Setting, phones: PhoneMaker, client: httpx.AsyncClient
) -> None:
    # Found trying the service: after «Avslutt» the host page showed «0 / 7» (the complete
    # answers to the last group opened, which no one answered), and «7 deltok» counted the
    # phones that joined, not those that answered.
    survey, joined, options = await _answering(setting, phones, 5)
    for _ in range(2):
        assert (await phones().join(survey.code)).status_code == 303  # joined, never answered
    item = survey.groups[0].questions[0].item_id
    for phone in joined:
        assert (await phone.answer({item: options["Nyttig"]})).status_code == 303
    kari = setting.cast["kari"]
    await services.close_group(kari, survey.id, survey.groups[0].id)
    await services.open_group(kari, survey.id, survey.groups[1].id)
    live = await services.count(kari, survey.id)
    assert (live.answered, live.joined, live.group_title) == (0, 7, survey.groups[1].title)

    await sign_in(client, kari)
    host = await client.get(f"/sporreundersokelser/{survey.id}")
    assert f'alle spørsmålene i <span id="answered-group">«{survey.groups[1].title}»' in (
        host.text.replace("&#34;", '"')
    )
    page = await client.get(f"/sporreundersokelser/{survey.id}")
    ended = await client.post(
        f"/sporreundersokelser/{survey.id}/avslutt", data={"_csrf_token": form_token(page.text)}
    )
    assert ended.status_code == 303
    host = await client.get(f"/sporreundersokelser/{survey.id}")
    assert "5 / 7" in host.text
    assert "svarte på minst ett spørsmål / koblet seg til med koden" in host.text
    assert "0 / 7" not in host.text
    listing = await client.get(f"/program/{setting.programme_id}/sporreundersokelser")
    assert "5 svarte (7 koblet seg til med koden)" in listing.text
    assert "deltok" not in listing.text


async def test_a_sitting_outside_the_start_window_says_when_and_refuses_with_a_page(
    setting: Setting, client: httpx.AsyncClient
) -> None:
    # Found trying the service: every confirmed sitting had a start button, and one outside
    # the window led to a bare 409 page.
    kari = setting.cast["kari"]
    now_id = await setting.session(SessionKind.MODULE_1)
    later_id = setting.sessions[SessionKind.MODULE_2]  # booked days ahead
    await sign_in(client, kari)
    path = f"/program/{setting.programme_id}/sporreundersokelser"
    page = await client.get(path)
    assert f'action="/samlinger/{now_id}/sporreundersokelse"' in page.text
    assert f'action="/samlinger/{later_id}/sporreundersokelse"' not in page.text
    assert "Kan startes fra en time før samlingen" in page.text
    refused = await client.post(
        f"/samlinger/{later_id}/sporreundersokelse", data={"_csrf_token": form_token(page.text)}
    )
    assert refused.status_code == 409
    assert "Spørreundersøkelser for" in refused.text  # the programme's page, not a bare error
    assert "Spørreundersøkelsen ble ikke startet: Kan startes fra en time før samlingen" in (
        refused.text
    )
    with pytest.raises(Conflict, match="Kan startes fra en time før samlingen"):
        await services.start_survey(kari, later_id)
