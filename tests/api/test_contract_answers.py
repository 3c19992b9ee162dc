"""What the schema promises about answers and input shapes, checked directly: a refusal by a rule
says so (``"code": "rule"``) and a refusal for shape does not; every path under /api/ answers JSON;
form input is read as strictly as JSON (no silently dropped blanks or flat nested values)."""

ME = "/api/v1/partners/me/"
FORM = "application/x-www-form-urlencoded"


def test_an_unknown_api_path_answers_a_json_404(client, world):
    client.force_login(world["partner_a_admin"])
    for path in ("/api/v1/lead-imports/null,null/", "/api/v1/lead-imports/1x/errors/", "/api/v1/nothing/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}


def test_a_path_outside_the_api_keeps_the_404_page(client, world):
    client.force_login(world["partner_a_admin"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_api_path_without_its_slash_is_still_redirected(client, world):
    client.force_login(world["partner_a_admin"])
    response = client.get("/api/v1/me")
    assert response.status_code == 301 and response["Location"] == "/api/v1/me/"


def test_a_rule_refusal_is_marked_and_a_shape_refusal_is_not(client, world):
    client.force_login(world["partner_a_admin"])
    rule = client.patch(ME, {"email_domain": "not a domain"}, content_type="application/json")
    assert rule.status_code == 400 and rule.json()["code"] == "rule"
    shape = client.patch(ME, {"name": ""}, content_type="application/json")
    assert shape.status_code == 400 and "code" not in shape.json()
    both = client.patch(ME, {"email_domain": "not a domain", "name": ""}, content_type="application/json")
    assert both.status_code == 400 and "code" not in both.json()


def test_a_text_field_given_a_number_is_refused(client, world):
    client.force_login(world["partner_a_admin"])
    response = client.patch(ME, {"tax_id": 123}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"tax_id": ["Not a valid string."]}


def test_form_input_refuses_flat_nested_values_and_blanks_it_does_not_take(client, world):
    client.force_login(world["partner_a_admin"])
    nested = client.patch(ME, "addresses=city&addresses=x-unknown", content_type=FORM)
    assert nested.status_code == 400
    assert nested.json() == {"addresses": ['Expected a list of items but got type "str".']}
    blank = client.patch(ME, "name=&publish_in_locator=", content_type=FORM)
    assert blank.status_code == 400
    assert set(blank.json()) == {"name", "publish_in_locator"}
    assert world["partner_a"].addresses.count() == 0


def test_a_boolean_is_true_or_false(client, world):
    client.force_login(world["partner_a_admin"])
    for value in (0, 1, "yes", "on"):
        response = client.patch(ME, {"publish_in_locator": value}, content_type="application/json")
        assert response.status_code == 400, value
    assert client.patch(ME, "publish_in_locator=true", content_type=FORM).status_code == 200
