"""What a CPE's `_links` point at: its actions, its related objects, and the monitoring app's view of it.

Only the link names and paths are documented (docs/krill.md §2.4); the bodies behind profile, model, events,
logs, livestatus, links and cwmp_info are not, so each answers plausible JSON of the shape noted there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request

from isptui.sandbox.dataset import BASE_TIME
from isptui.sandbox.krill import records as rec
from isptui.sandbox.krill.drf import Row, RowsListing, paginate
from isptui.sandbox.krill.state import KrillState


def action_body(state: KrillState, cpe: Row, action: str) -> Row:
    """Invoke an action: it is recorded as the CPE's newest event.

    Unknown (docs/krill.md §7.4): the response body of CPE actions; a queued-job acknowledgement is chosen,
    since reboots and reprovisions run asynchronously on the device.
    """
    state.record_event(cpe["id"], action)
    return {"status": "queued", "action": action, "cpe": cpe["id"]}


def _events(state: KrillState, cpe: Row) -> list[Row]:
    cid = cpe["id"]
    base = [
        {"cpe": cid, "created": rec.iso(BASE_TIME - timedelta(hours=cid % 48)), "id": cid * 10 + 3,
         "message": f"Call on {cpe['cpename']}-1", "name": "call", "type": "cdr"},
        {"cpe": cid, "created": rec.iso(BASE_TIME - timedelta(days=1, hours=cid % 24)), "id": cid * 10 + 2,
         "message": "CPE is online", "name": "online", "type": "status"},
        {"cpe": cid, "created": cpe.get("created"), "id": cid * 10 + 1,
         "message": "CPE provisioned", "name": "provisioned", "type": "status"},
    ]
    return state.events.get(cid, []) + base


def monitoring_info(cpe: Row) -> Row:
    """`monitoring/cpes/{id}/info` in the shape of the postman sample (§2.5)."""
    cid = cpe["id"]
    up = bool(cpe.get("active"))
    dnatt = 18.0 + (cid % 90) / 10
    return {
        "alarms": [] if cid % 13 else [{"name": "high_attenuation", "severity": "warning", "value": dnatt}],
        "dnbw": 0 if not up else 1_000_000,
        "ips": [cpe["fixed_address"]] if cpe.get("fixed_address") else [f"100.64.{cid // 250 % 256}.{cid % 250 + 1}"],
        "output": "OK - ONT online" if up else "CRITICAL - ONT offline",
        "registration": {"serial": cpe.get("sn"), "olt": cpe.get("topology"), "onu_id": cid % 128},
        "services": {
            "txrx": {
                "output": f"OK - rx -{dnatt:.2f} dBm",
                "perfdatas": [
                    {"items": 1, "max": None, "metric": "dnatt", "min": None, "thresholds": {"warn": 27, "crit": 30},
                     "uom": "dBm", "value": dnatt},
                ],
                "state_id": 0 if up else 2,
            }
        },
        "state": "up" if up else "down",
        "state_id": 0 if up else 2,
        "tech": {"name": cpe.get("tech"), "model": cpe.get("model")},
        "upbw": 0 if not up else 1_000_000,
        "uptime": (cid * 3571) % 2_000_000 if up else 0,
    }


def monitoring_summary(cpe: Row) -> Row:
    info = monitoring_info(cpe)
    return {"cpename": cpe["cpename"], "id": cpe["id"], "info": f"/api/v2/monitoring/cpes/{cpe['id']}/info",
            "internal_id": cpe.get("internal_id"), "state": info["state"], "state_id": info["state_id"],
            "uptime": info["uptime"]}


def link_body(state: KrillState, cpe: Row, link: str, request: Request) -> tuple[int, Any]:
    """(status, body) for GET on `/api/v2/isp/cpes/{id}/{link}`."""
    cid = cpe["id"]
    if link in ("customer", "profile", "model"):
        target = {"customer": state.customer_of, "profile": state.profile_of, "model": state.model_of}[link](cpe)
        return (404, {"detail": "Not found."}) if target is None else (200, {k: target[k] for k in sorted(target)})
    if link == "potses":
        return 200, paginate(request, RowsListing(state.potses_of(cpe)), default_limit=20, absolute=True)
    if link == "events":
        wanted = request.query_params.get("type")
        rows = [e for e in _events(state, cpe) if not wanted or e["type"] == wanted]
        return 200, paginate(request, RowsListing(rows), default_limit=20, absolute=True)
    if link == "logs":
        rows = [
            {"id": cid * 100 + k, "level": level, "message": message,
             "timestamp": rec.iso(BASE_TIME - timedelta(minutes=17 * k + cid % 60))}
            for k, (level, message) in enumerate(
                (("info", "TR-069 inform received"), ("info", "Configuration applied"), ("warning", "DHCP lease renewed late"))
            )
        ]
        return 200, paginate(request, RowsListing(rows), default_limit=20, absolute=True)
    if link == "info":
        return 200, monitoring_info(cpe)
    if link == "livestatus":
        info = monitoring_info(cpe)
        return 200, {"cpe": cid, "last_check": rec.iso(BASE_TIME - timedelta(seconds=cid % 300)),
                     "output": info["output"], "state": info["state"], "state_id": info["state_id"]}
    if link == "links":
        return 200, {"cpe": cid, "links": [{"name": cpe.get("topology"), "port": f"0/{cid % 16}/{cid % 128}",
                                            "type": "olt"}]}
    # cwmp_info
    return 200, {
        "connection_request_url": f"http://100.64.{cid // 250 % 256}.{cid % 250 + 1}:7547/",
        "last_inform": rec.iso(BASE_TIME - timedelta(minutes=cid % 60)),
        "manufacturer": (state.model_of(cpe) or {}).get("vendor"),
        "oui": "00259E",
        "parameter_key": f"krill-{cid}",
        "product_class": (state.model_of(cpe) or {}).get("name"),
        "serial_number": cpe.get("sn"),
        "software_version": "V5R019C10S115",
    }
