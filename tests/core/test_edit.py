import pytest

from editor.core.edit import Edit, EditError, History


def test_default_edit_has_no_active_operations():
    assert Edit().active() == []


def test_update_activates_only_that_operation():
    edit = Edit().update("exposure", exposure_ev=1.0)
    assert [op.name for op, _ in edit.active()] == ["exposure"]
    assert Edit()["exposure"].exposure_ev == 0.0  # the original edit is untouched


def test_to_dict_lists_only_changed_params_and_round_trips():
    edit = Edit().update("exposure", exposure_ev=0.5).update("vignette", amount=-30.0)
    data = edit.to_dict()
    assert data["operations"] == {"exposure": {"version": 1, "params": {"exposure_ev": 0.5}},
                                  "vignette": {"version": 1, "params": {"amount": -30.0}}}
    assert Edit.from_dict(data) == edit


def test_from_dict_reports_every_problem():
    with pytest.raises(EditError) as err:
        Edit.from_dict({"operations": {"exposure": {"version": 1, "params": {"exposure_ev": 99}},
                                       "bloom": {"version": 1, "params": {}}}})
    assert "exposure" in str(err.value) and "bloom" in str(err.value)


def test_newer_operation_version_is_refused():
    with pytest.raises(EditError, match="newer than this Darkslide"):
        Edit.from_dict({"operations": {"exposure": {"version": 99, "params": {}}}})


def test_paste_copies_chosen_operations_only():
    source = Edit().update("exposure", exposure_ev=1.0).update("saturation", saturation=-50.0)
    pasted = Edit().update("exposure", exposure_ev=-1.0).paste(source, ["saturation"])
    assert pasted["saturation"].saturation == -50.0
    assert pasted["exposure"].exposure_ev == -1.0
    assert Edit().paste(source) == source


def test_history_undo_redo_and_branching():
    history = History()
    seen = []
    history.subscribe(lambda h: seen.append(h.index))
    a = history.current.update("exposure", exposure_ev=1.0)
    history.commit("Exposure", a)
    b = a.update("saturation", saturation=20.0)
    history.commit("Saturation", b)
    history.undo()
    assert history.current == a and history.can_redo
    c = a.update("contrast", contrast=10.0)
    history.commit("Contrast", c)  # a new step drops the redo tail
    assert [s.label for s in history.steps] == ["Open", "Exposure", "Contrast"]
    history.goto(0)
    assert history.current == Edit()
    assert seen == [1, 2, 1, 2, 0]


def test_merged_steps_make_one_slider_drag_one_undo_step():
    history = History()
    for ev in (0.1, 0.2, 0.3):
        history.commit("Exposure", history.current.update("exposure", exposure_ev=ev), merge=True)
    assert len(history.steps) == 2 and history.current["exposure"].exposure_ev == 0.3
    history.undo()
    assert history.current == Edit()


def test_history_round_trips():
    history = History()
    history.commit("Exposure", history.current.update("exposure", exposure_ev=1.0))
    history.undo()
    again = History.from_dict(history.to_dict())
    assert again.index == 0 and again.steps[1].edit == history.steps[1].edit


def exposure_steps(history: History, count: int) -> None:
    """`count` distinct one-click steps (not merged): exposure -2.00, -1.99, ... EV."""
    for i in range(count):
        history.commit("Exposure", history.current.update("exposure", exposure_ev=round(-2 + i / 100, 2)))


def test_history_keeps_the_base_and_the_newest_steps_up_to_its_bound():
    history = History(max_steps=50)
    exposure_steps(history, 120)
    assert len(history.steps) == 50 and history.index == 49
    assert history.steps[0].label == "Open" and history.steps[0].edit == Edit()  # the original stays reachable
    assert history.current["exposure"].exposure_ev == round(-2 + 119 / 100, 2)
    assert history.steps[1].edit["exposure"].exposure_ev == round(-2 + 71 / 100, 2)  # newest 49 after the base
    for back in range(48):
        history.undo()
    assert history.current["exposure"].exposure_ev == round(-2 + 71 / 100, 2)
    history.undo()
    assert history.current == Edit() and not history.can_undo


def test_default_bound_is_max_steps():
    from editor.core.edit import MAX_STEPS
    history = History()
    exposure_steps(history, MAX_STEPS + 30)
    assert len(history.steps) == MAX_STEPS


def test_limited_to_dict_keeps_the_current_step_even_far_back():
    history = History()
    exposure_steps(history, 150)
    data = history.to_dict(limit=20)
    assert len(data["steps"]) == 20 and data["index"] == 19
    history.goto(5)  # far back: the redo tail is cut instead of the current step
    data = history.to_dict(limit=20)
    again = History.from_dict(data)
    assert len(again.steps) == 20 and again.current == history.current and again.steps[0].edit == Edit()
    history.goto(0)
    again = History.from_dict(history.to_dict(limit=20))
    assert again.current == Edit() and len(again.steps) == 20
    again.redo()
    assert again.current == history.steps[1].edit  # redo walks on from the base, step by step


def test_a_loaded_history_longer_than_the_bound_is_trimmed():
    history = History()
    exposure_steps(history, 80)
    again = History(steps=list(history.steps), index=history.index, max_steps=30)
    assert len(again.steps) == 30 and again.current == history.current and again.steps[0].edit == Edit()
