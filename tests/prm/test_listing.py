"""A page of a list that is not counted (prm.listing.OpenEndedPage), at its limits."""

from prm.listing import OpenEndedPage

ROWS = list(range(100))


def test_the_last_full_page_has_no_next_and_one_row_more_makes_one():
    exact = OpenEndedPage(ROWS[:20], 10, 2)
    assert exact.object_list == list(range(10, 20)) and not exact.has_next() and exact.has_previous()
    one_more = OpenEndedPage(ROWS[:21], 10, 2)
    assert one_more.has_next() and one_more.next_page_number() == 3
    assert OpenEndedPage(ROWS[:21], 10, 3).object_list == [20]


def test_page_numbers_that_are_not_positive_integers_read_as_the_first():
    for number in (None, "", "x", "0", "-1", "2\x00", "1e3", 0, -5):
        page = OpenEndedPage(ROWS, 10, number)
        assert page.number == 1 and page.object_list == list(range(10)) and not page.has_previous()


def test_the_page_number_stops_at_its_maximum():
    below = OpenEndedPage(ROWS, 2, 9, max_number=10)
    assert below.number == 9 and below.has_next()
    at = OpenEndedPage(ROWS, 2, 10, max_number=10)
    assert at.number == 10 and at.object_list == [18, 19] and not at.has_next()  # rows follow, no link to them
    beyond = OpenEndedPage(ROWS, 2, 10**30, max_number=10)
    assert beyond.number == 10 and beyond.object_list == [18, 19]


def test_past_the_last_page_the_page_is_empty():
    page = OpenEndedPage(ROWS[:5], 10, 4)
    assert page.object_list == [] and not page.has_next() and page.has_previous() and len(page) == 0
