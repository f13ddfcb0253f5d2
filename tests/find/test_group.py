from isptui.find.group import Hit, group


def _hit(conn, rid, **keys):
    return Hit(connection=conn, collection="customers", record_id=rid, label=rid, keys=keys)


def test_one_person_across_five_systems_with_shared_keys_shown():
    hits = [
        _hit("splynx", "42", email="sub42@example.net", login="sub42", phone="+44 20 7946 0042"),
        _hit("krill", "cpe-42", mac="AA-BB-CC-00-00-2A", login="SUB42"),
        _hit("ispcrm", "42", email="Sub42@Example.net"),
        _hit("trisul", "s42", ip="10.0.0.42", mac="aabb.cc00.002a"),
        _hit("carbon", "42", email="sub42@example.net", ip="10.0.0.42"),
    ]
    subs = group(hits)
    assert len(subs) == 1
    assert subs[0].connections == ["carbon", "ispcrm", "krill", "splynx", "trisul"]
    assert subs[0].shared["email"] == "sub42@example.net"
    assert subs[0].shared["mac"] == "aa:bb:cc:00:00:2a"


def test_shared_phone_is_a_near_miss_not_one_person():
    hits = [
        _hit("splynx", "42", email="a@example.net", phone="+44 20 7946 0042"),
        _hit("splynx", "43", email="b@example.net", phone="+44 (20) 7946-0042"),
    ]
    assert len(group(hits)) == 2
