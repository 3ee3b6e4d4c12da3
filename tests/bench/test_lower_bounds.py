"""The list questions the lower-bound SQL answers, read from the list's URL parameters."""

from bench.lower_bounds import ListQuestion


def test_a_list_question_reads_lists_search_and_page_from_the_url_parameters():
    question = ListQuestion.from_params(
        {"country": "DE, FR", "report_type": "WEEE", "search": " Nordic ", "offset": "5000"}
    )

    assert question.countries == ("DE", "FR")
    assert question.report_types == ("WEEE",)
    assert question.search == "Nordic"
    assert (question.offset, question.limit) == (5000, 10)


def test_a_list_question_caps_the_limit_as_the_list_does():
    assert ListQuestion.from_params({"limit": "500"}).limit == 100
