"""Finding the same ask in recommendations of other cycles."""

from gbvwatch.analysis.upr_similarity import content_words, similar_texts


def test_closing_states_are_not_content_but_a_final_parenthesis_of_the_text_is():
    words = content_words(
        "Ratify the Council of Europe Convention on violence against women "
        "(Istanbul Convention) (Finland); (Bolivia (Plurinational State of));"
    )
    assert "istanbul" in words
    assert "finland" not in words and "bolivia" not in words


def test_istanbul_convention_asked_again_is_found_and_other_treaties_are_not():
    candidates = [
        "Ratify the Rome Statute of the International Criminal Court (Romania);",
        "Consider ratifying the Istanbul Convention (Portugal);",
        "Continue its efforts to combat human trafficking (Singapore);",
        "Sign and ratify the Istanbul Convention (Iceland);",
    ]
    found = similar_texts("Ratify the Istanbul Convention (Norway); (Spain);", candidates)
    assert [f.index for f in found] == [1, 3]  # equal scores: input order
    assert found[0].shared_words == ("convention", "istanbul", "ratif")
    assert found[0].score == found[1].score == 0.87
    long_ask = similar_texts(
        "Ratify the Istanbul Convention (Norway);",
        [
            "Consider ratifying the Council of Europe Convention on preventing and combating "
            "violence against women and domestic violence (Istanbul Convention) (Finland);"
        ],
    )
    assert 0.4 <= long_ask[0].score < 0.87


def test_texts_without_shared_words_give_nothing():
    assert similar_texts("Abolish the death penalty (Italy);", ["Build schools (Peru);"]) == []
    assert similar_texts("(Norway);", ["Build schools (Peru);"]) == []
