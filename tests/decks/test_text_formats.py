"""Text decks: CSV, TSV, Anki's plain-text export, study notes, Quizlet and Studybot YAML."""

from __future__ import annotations

import pytest

from bot.decks.entries import DeckImport, DeckOptions
from bot.decks.reader import read_deck

pytestmark = pytest.mark.timeout(30)
OPTIONS = DeckOptions(topic="team")


def read(data: bytes, name: str, options: DeckOptions = OPTIONS) -> DeckImport:
    return read_deck(data, name, options)


def pairs(result: DeckImport) -> list[tuple[str, str]]:
    return [(e["prompt"], e["answer"]) for e in result.entries]


def problems(result: DeckImport) -> list[str]:
    return [str(p) for p in result.problems]


def test_a_csv_with_a_bom_and_semicolons_is_read_by_its_header_names() -> None:
    text = (
        "Tags;Front;Back;Explanation\r\n"
        "ecs;What is ECS?;A container orchestrator;Amazon's own; runs tasks\r\n"
        'fargate;"Which service runs\r\ncontainers without servers?";Fargate;\r\n'
    )
    result = read(
        "\ufeff".encode() + text.replace("Amazon's own; runs tasks", '"Amazon\'s own; runs tasks"').encode(),
        "d.csv",
    )
    assert result.ok, result.problems
    assert pairs(result) == [
        ("What is ECS?", "A container orchestrator"),
        ("Which service runs\ncontainers without servers?", "Fargate"),
    ]
    first, second = result.entries
    assert first["explanation"] == "Amazon's own; runs tasks" and first["topics"] == ["team", "ecs"]
    assert second["source"] == "d.csv, line 3"


def test_a_windows_1252_tsv_is_detected_not_assumed() -> None:
    text = (
        "Question\tAnswer\nQu'est-ce qu'un conteneur ? café\tUn processus isolé – naïf “entre guillemets” €\n"
    )
    result = read(text.encode("cp1252"), "d.tsv")
    assert pairs(result) == [
        ("Qu'est-ce qu'un conteneur ? café", "Un processus isolé – naïf “entre guillemets” €")
    ]


def test_utf16_with_a_bom_as_excel_saves_unicode_text() -> None:
    result = read("Term\tDefinition\nÉcole\tschool\n".encode("utf-16"), "d.txt")
    assert pairs(result) == [("École", "school")]


def test_every_row_problem_is_reported_with_its_line_and_field() -> None:
    long_answer = "x" * 501
    text = (
        f"question,answer,difficulty\nOK?,Yes,easy\n,No question,\nLong?,{long_answer},\nBad?,No,impossible\n"
    )
    result = read(text.encode(), "d.csv")
    assert problems(result) == [
        "d.csv:3: prompt: is empty",
        "d.csv:4: answer: is longer than the 500 characters a flashcard's answer may be",
        "d.csv:5: difficulty: must be one of 'easy', 'medium' or 'hard'",
    ]


def test_a_header_without_question_or_answer_columns_is_refused() -> None:
    result = read(b"name,email\nAda,ada@example.com\n", "d.csv")
    assert problems(result) == [
        "d.csv:1: header: names no prompt or answer column (it names 'name', 'email')"
    ]


def test_multiple_choice_rows_with_choice_columns() -> None:
    text = "prompt,choice_1,choice_2,choice_3,answer\nWhich runs containers?,EC2,Fargate,S3,Fargate\n"
    text += "Which stores images?,ECR,ECS,EKS,Glacier\n"
    result = read(text.encode(), "d.csv")
    assert result.entries[0]["kind"] == "multiple_choice"
    assert result.entries[0]["choices"] == ["EC2", "Fargate", "S3"]
    assert problems(result) == ["d.csv:3: answer: answer 'Glacier' is not among the choices"]


def test_anki_plain_text_export_with_its_header_lines() -> None:
    text = (
        "#separator:Semicolon\n#html:true\n#notetype column:1\n#tags column:4\n"
        'Basic;<b>What</b> is ECR?;"A registry &amp; more";ecr aws\n'
        "Basic (and reversed card);EKS;Managed <i>Kubernetes</i>;\n"
        'Cloze;"{{c1::Fargate}} is serverless";;\n'
    )
    result = read(text.encode(), "notes.txt")
    assert result.format == "anki-text"
    assert result.ok, result.problems
    assert pairs(result) == [
        ("What is ECR?", "A registry & more"),
        ("EKS", "Managed Kubernetes"),
        ("Managed Kubernetes", "EKS"),
        ("[...] is serverless", "Fargate"),
    ]
    assert result.entries[0]["topics"] == ["team", "ecr", "aws"]
    assert result.entries[3]["source"] == "notes.txt, line 7"


def test_anki_plain_text_cloze_notes_keep_their_extra_and_tags() -> None:
    text = (
        "#separator:tab\n#html:true\n#notetype:Cloze\n#tags column:3\n"
        "{{c1::ECS}} and {{c2::EKS::Kubernetes}} run <b>containers</b>\tBoth are <i>orchestrators</i>\taws\n"
        "{{c1::}} is empty\t\t\n"
    )
    result = read(text.encode(), "notes.txt")
    assert pairs(result) == [
        ("[...] and EKS run containers", "ECS"),
        ("ECS and [Kubernetes] run containers", "EKS"),
    ]
    assert {e["explanation"] for e in result.entries} == {"Both are orchestrators"}
    assert result.entries[0]["topics"] == ["team", "aws"]
    assert problems(result) == ["notes.txt:6: cloze c1 has no text to answer (it is empty or only an image)"]


def test_a_csv_of_cloze_notes_needs_no_answer_column() -> None:
    text = "Text,Back Extra\n{{c1::Fargate}} runs tasks,No servers\n"
    result = read(text.encode(), "d.csv")
    assert result.ok, result.problems
    assert [(e["prompt"], e["answer"], e["explanation"]) for e in result.entries] == [
        ("[...] runs tasks", "Fargate", "No servers")
    ]


def test_anki_plain_text_columns_header_names_the_fields() -> None:
    text = "#separator:tab\n#html:false\n#columns:Back\tFront\n<kept>\tWhat is shown?\n"
    result = read(text.encode(), "notes.txt")
    assert pairs(result) == [("What is shown?", "<kept>")]


def test_study_notes_question_line_then_answer_lines() -> None:
    text = (
        "# Containers\n\n"
        "## What is a container image?\n\n"
        "- A read-only template for containers\n"
        "- Built from a **Dockerfile**\n\n"
        "## Q: What does ECR store?\nA: Container images\n\n"
        "## Which one has no answer?\n"
    )
    result = read(text.encode(), "notes.md")
    assert pairs(result) == [
        ("What is a container image?", "A read-only template for containers"),
        ("What does ECR store?", "Container images"),
    ]
    assert result.entries[0]["explanation"] == "Built from a Dockerfile"
    assert problems(result) == ["notes.md:11: answer: this question has no answer lines under it"]


def test_plain_notes_separated_by_blank_lines() -> None:
    text = "What is Lambda?\nServerless functions\nBilled per request\n\nWhat is EC2?\nVirtual servers\n"
    result = read(text.encode(), "notes.txt")
    assert result.format == "notes"
    assert pairs(result) == [("What is Lambda?", "Serverless functions"), ("What is EC2?", "Virtual servers")]


def test_quizlet_export_term_tab_definition() -> None:
    result = read(b"ECS\tElastic Container Service\nEKS\tElastic Kubernetes Service\n", "set.txt")
    assert result.format == "quizlet"
    assert pairs(result) == [("ECS", "Elastic Container Service"), ("EKS", "Elastic Kubernetes Service")]


def test_quizlet_lines_without_a_tab_are_problems() -> None:
    result = read(b"ECS\tElastic Container Service\nno tab here\n", "set.txt", OPTIONS)
    # Not every line has a tab, so it is read as notes? No: one tab per line is Quizlet's shape,
    # and a file that is mostly Quizlet is named so explicitly.
    explicit = read_deck(b"ECS\tElastic Container Service\nno tab here\n", "set.txt", OPTIONS, "quizlet")
    assert problems(explicit) == ["set.txt:2: has no tab between the term and its definition"]
    assert result.format == "notes"


def test_studybot_yaml_keeps_its_fields_and_reports_lines() -> None:
    text = (
        "questions:\n"
        "  - id: ecs-launch\n"
        "    topics: [ecs]\n"
        "    kind: multiple_choice\n"
        "    difficulty: easy\n"
        "    prompt: Which launches ECS tasks without servers?\n"
        "    choices: [EC2, Fargate, Lambda, S3]\n"
        "    answer: Fargate\n"
        "    explanation: Fargate runs the task.\n"
        "    source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html\n"
        "  - prompt: Is ECS regional?\n"
        "    kind: true_false\n"
        "    answer: maybe\n"
        "  - prompt: What is EKS?\n"
        "    answer: Managed Kubernetes\n"
        "    colour: blue\n"
    )
    result = read(text.encode(), "deck.yaml")
    assert result.entries[0]["topics"] == ["team", "ecs"]
    assert result.entries[0]["id"] == "ecs-launch"
    assert problems(result) == [
        "deck.yaml:13: answer: the answer of a true/false question is true or false",
        "deck.yaml:16: colour: is not a known field",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x [1]\nb: *x\n", "uses YAML anchors and aliases, which a deck file may not"),
        ("questions: [unclosed\n", "is not valid YAML"),
        ("- just a list\n", "must hold one key, `questions:`"),
        ("", "holds no questions"),
    ],
)
def test_yaml_that_is_not_a_deck_is_refused(text: str, expected: str) -> None:
    (problem,) = read(text.encode(), "deck.yaml").problems
    assert expected in problem.message


def test_yaml_multiple_response_when_the_schema_knows_it() -> None:
    from bot.questions import Kind

    text = (
        "questions:\n  - prompt: Which run containers? (Choose TWO.)\n    kind: multiple_response\n"
        "    choices: [ECS, EKS, S3, IAM, Route 53]\n    answers: [ECS, EKS]\n"
    )
    result = read(text.encode(), "deck.yaml")
    if "multiple_response" in {k.value for k in Kind}:
        assert result.ok, result.problems
    else:
        assert "deck.yaml:3: kind: must be one of 'multiple_choice', 'true_false' or 'flashcard'" in problems(
            result
        )


def test_wrong_answer_columns_make_a_multiple_choice_question_and_empty_ones_a_flashcard() -> None:
    text = "question,answer,wrong 1,wrong 2,wrong 3\nWhich registry?,ECR,ECS,EKS,S3\n"
    text += "What is IaC?,Infrastructure as code,,,\n"
    choice, flashcard = read(text.encode(), "d.csv").entries
    assert (choice["kind"], choice["choices"]) == ("multiple_choice", ["ECR", "ECS", "EKS", "S3"])
    assert flashcard["kind"] == "flashcard" and "choices" not in flashcard


def test_lettered_choice_columns_and_an_answer_given_as_its_letter() -> None:
    """A spreadsheet of multiple-choice questions as teams keep them: the choices in lettered
    columns, the right one named by its letter."""
    text = "Question,A,B,C,D,Correct answer,Rationale\n"
    text += "Which runs containers without servers?,EC2,Fargate,S3,IAM,B,No servers to manage.\n"
    text += "Which stores images?,ECR,ECS,EKS,S3,a),\n"
    text += "Which is a registry?,ECR,ECS,EKS,S3,Amazon ECR,\n"
    result = read(text.encode(), "d.csv")
    first, second, third = result.entries
    assert (first["kind"], first["choices"], first["answer"]) == (
        "multiple_choice",
        ["EC2", "Fargate", "S3", "IAM"],
        "Fargate",
    )
    assert first["explanation"] == "No servers to manage."
    assert second["answer"] == "ECR"
    assert problems(result) == ["d.csv:4: answer: answer 'Amazon ECR' is not among the choices"]
    option_columns = "prompt,option a,option b,option c,answer\nWhich is serverless?,EC2,Fargate,EKS,b\n"
    [entry] = read(option_columns.encode(), "d.csv").entries
    assert (entry["choices"], entry["answer"]) == (["EC2", "Fargate", "EKS"], "Fargate")


def test_q_and_a_columns_are_still_a_question_and_its_answer() -> None:
    [entry] = read(b"Q,A\nWhat is ECS?,Elastic Container Service\n", "d.csv").entries
    assert (entry["kind"], entry["prompt"], entry["answer"]) == (
        "flashcard",
        "What is ECS?",
        "Elastic Container Service",
    )


def test_notes_without_blank_lines_start_a_card_at_each_question() -> None:
    text = (
        "What is Lambda?\nServerless functions\nBilled per request\n"
        "What is EC2?\nVirtual servers\n"
        "Q: Name the registry\nA: ECR\n"
    )
    result = read(text.encode(), "notes.txt")
    assert pairs(result) == [
        ("What is Lambda?", "Serverless functions"),
        ("What is EC2?", "Virtual servers"),
        ("Name the registry", "ECR"),
    ]
    assert result.entries[0]["explanation"] == "Billed per request"


# Anki before 2.1.55 wrote its "Notes in Plain Text" export without header lines: fields
# separated by tabs, HTML kept, a field holding `"` quoted with its quotes doubled, and the
# note's tags as the last cell when tags were included.
OLD_ANKI_TWO_FIELDS = (
    "What does <b>ECS</b> stand for?\tElastic Container&nbsp;Service\n"
    '"<div class=""q"">Which registry stores images?</div>"\tECR<br>(Amazon)\n'
)
OLD_ANKI_WITH_TAGS = (
    "What does <b>ECS</b> stand for?\tElastic Container&nbsp;Service\taws::ecs compute\n"
    "Which registry stores images?\tECR\t\n"
    '"Who said ""run it""?"\t<i>Fargate</i>\tAWS_CLF-C02\n'
    "{{c1::EKS}} runs <b>Kubernetes</b>\tManaged control plane\taws::eks\n"
)


@pytest.mark.parametrize("fmt", [None, "anki-text"])
def test_an_old_anki_export_without_header_lines_is_read_as_anki_wrote_it(fmt: str | None) -> None:
    result = read_deck(OLD_ANKI_TWO_FIELDS.encode(), "Export.txt", OPTIONS, fmt)
    assert result.format == "anki-text"
    assert result.ok, result.problems
    assert pairs(result) == [
        ("What does ECS stand for?", "Elastic Container Service"),
        ("Which registry stores images?", "ECR (Amazon)"),
    ]


@pytest.mark.parametrize("fmt", [None, "anki-text"])
def test_an_old_anki_export_with_a_tags_column(fmt: str | None) -> None:
    result = read_deck(OLD_ANKI_WITH_TAGS.encode(), "Export.txt", OPTIONS, fmt)
    assert result.format == "anki-text"
    assert result.ok, result.problems
    assert pairs(result) == [
        ("What does ECS stand for?", "Elastic Container Service"),
        ("Which registry stores images?", "ECR"),
        ('Who said "run it"?', "Fargate"),
        ("[...] runs Kubernetes", "EKS"),
    ]
    assert [e["topics"] for e in result.entries] == [
        ["team", "aws-ecs", "compute"],
        ["team"],
        ["team", "aws-clf-c02"],
        ["team", "aws-eks"],
    ]
    assert result.entries[3]["explanation"] == "Managed control plane"


def test_an_old_anki_export_whose_third_field_is_prose_reads_it_as_the_explanation() -> None:
    text = "What is ECS?\tAn orchestrator\tIt runs tasks, services and more.\nWhat is ECR?\tA registry\t\n"
    result = read(text.encode(), "Export.txt")
    assert result.format == "anki-text"
    assert [(e["prompt"], e["answer"], e["explanation"]) for e in result.entries] == [
        ("What is ECS?", "An orchestrator", "It runs tasks, services and more."),
        ("What is ECR?", "A registry", "A registry"),
    ]


def test_two_plain_fields_are_an_old_anki_export_when_a_field_is_quoted_anki_s_way() -> None:
    text = '"Who said ""run it""?"\tFargate\nWhat is ECS?\tAn orchestrator\n'
    result = read(text.encode(), "Export.txt")
    assert result.format == "anki-text"
    assert pairs(result) == [('Who said "run it"?', "Fargate"), ("What is ECS?", "An orchestrator")]


def test_anki_plain_text_with_cloze_columns_needs_no_answer_column() -> None:
    text = "#separator:tab\n#html:false\n#columns:Text\tBack Extra\n{{c1::ECS}} runs tasks\tAn orchestrator\n"
    result = read(text.encode(), "notes.txt")
    assert result.ok, result.problems
    assert [(e["prompt"], e["answer"], e["explanation"]) for e in result.entries] == [
        ("[...] runs tasks", "ECS", "An orchestrator")
    ]


def test_a_tags_column_line_added_to_an_old_export_reads_its_html_too() -> None:
    text = "#tags column:3\nWhat is <b>ECS</b>?\tAn orchestrator, Amazon's own.\taws\n"
    result = read(text.encode(), "Export.txt")
    assert [(e["prompt"], e["answer"], e["topics"]) for e in result.entries] == [
        ("What is ECS?", "An orchestrator, Amazon's own.", ["team", "aws"])
    ]
