// The room view: who is in each of today's sessions now and who has left, counts against
// capacity and ratio, allergies and medical alerts, who serves without the certification the
// session asks for, and children released by staff without their tag. It refreshes every few
// seconds, so check-ins from the station (here, or through team sync) appear as they arrive.
import { rooms, type RoomNow } from "../api";
import { el, errorText, formatTime } from "../dom";
import type { Screen } from "../main";

const REFRESH_MS = 5_000;

export async function renderRooms(view: HTMLElement, _screen: Screen) {
  const list = el("div", { id: "rooms" });
  view.replaceChildren(el("section", { className: "card" }, el("h2", {}, "Rooms today"), el("p", { className: "muted" }, "Who is in each session now, and who has left. Refreshed every few seconds.")), list);
  let shown = "";
  const fill = async () => {
    try {
      const today = await rooms.today();
      // Redrawn only when something changed, so the page does not flicker under the reader.
      const now = JSON.stringify(today);
      if (now === shown) return;
      shown = now;
      list.replaceChildren(...(today.length ? today.map(roomCard) : [el("p", { className: "muted card" }, "No sessions today.")]));
    } catch (error) {
      list.replaceChildren(el("p", { className: "error" }, errorText(error)));
    }
  };
  await fill();
  const timer = window.setInterval(() => {
    if (!list.isConnected) return clearInterval(timer);
    void fill();
  }, REFRESH_MS);
}

function roomCard(room: RoomNow): HTMLElement {
  const { session } = room;
  const counts = [
    `${room.in_now} in${room.capacity !== null ? ` of ${room.capacity}` : ""}`,
    `${room.children_in} children`,
    `${room.adults_serving} serving${session.children_per_adult !== null ? ` (one per ${session.children_per_adult} children)` : ""}`,
    `${room.left} left`,
  ].join(" · ");
  const people = room.people.map((p) =>
    el(
      "li",
      { className: p.checked_out_at ? "muted" : "" },
      el("span", {}, `${p.name}${p.serving ? " (serving)" : p.is_child ? " (child)" : ""}`, ...p.alerts.map((a) => el("span", { className: "alert" }, a)), p.serving_uncertified ? el("span", { className: "alert" }, "no valid certification") : null),
      el("span", {}, p.checked_out_at ? `left ${formatTime(p.checked_out_at)}${p.collected_by ? ` with ${p.collected_by}` : ""}${p.release_method === "staff" ? ` · released by staff without the tag: ${p.release_reason ?? ""}` : ""}` : `in since ${formatTime(p.checked_in_at ?? "")}`),
    ),
  );
  return el(
    "section",
    { className: "card room" },
    el("h3", {}, session.title, room.room ? el("span", { className: "muted" }, ` · ${room.room}`) : null),
    el("p", { className: room.full || room.over_ratio ? "warning" : "muted" }, counts, room.full ? " · full" : "", room.over_ratio ? " · more children than the ratio allows" : ""),
    people.length ? el("ul", { className: "list" }, ...people) : el("p", { className: "muted" }, "Nobody checked in yet."),
  );
}
