import { readFileSync } from "node:fs";

import type { Page } from "@playwright/test";

import {
  addPairedDevice,
  checkScreen,
  expect,
  logInWithToken,
  signUpByApi,
  test,
  uniqueEmail,
} from "./helpers";

const PASSWORD = "teal-harbor-42-lantern";

/**
 * The good rows, written the way the export writes them (so export → import → export gives the
 * same lines back): the formula-like name and the phones (a cell starting with + is one too)
 * come with their leading quote, which the import removes.
 */
const GOOD_ROWS = [
  `Ana Lim,'+60111000001,"gym, spa",PROSPECT,hello,Met at the fair`,
  `Ben Ong,'+60111000002,gym,CUSTOMER,,`,
  `Chen Wei,'+60111000003,spa,PROSPECT,price,Asked for prices`,
  "'=SUM(A1),'+60111000004,gym,PROSPECT,,Formula-like name",
  `Dina Aziz,'+60111000005,"gym, yoga",CUSTOMER,,`,
];
const HEADER = "name,phone,niches,target_status,triggers,notes";

/** Lines 1 (header) … 9: the bad rows are on lines 3, 6 and 8. */
const IMPORT_CSV = [
  HEADER,
  GOOD_ROWS[0],
  "Bad Phone,not-a-number,gym,PROSPECT,,",
  GOOD_ROWS[1],
  GOOD_ROWS[2],
  "No Phone,,gym,PROSPECT,,",
  GOOD_ROWS[3],
  "Bad Status,+60111000009,gym,SOMETIMES,,",
  GOOD_ROWS[4],
].join("\n");

/** The rows of a table (without its header row). */
function rows(page: Page, table: string) {
  return page
    .getByRole("table", { name: table })
    .getByRole("row")
    .filter({ has: page.getByRole("cell") });
}

async function openFromNav(page: Page, label: string, heading: string) {
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: label, exact: true })
    .click();
  await expect(
    page.getByRole("heading", { name: heading, level: 1 }),
  ).toBeVisible();
}

/** Whether the server this run talks to has the audience API (issue 13's server side). */
test("a user imports leads with bad rows, exports them, opts one out, and sees AI leads and opt-outs", async ({
  page,
  request,
}) => {
  const token = await signUpByApi(request, {
    email: uniqueEmail("leads"),
    password: PASSWORD,
    fullName: "Mei Tan",
  });
  await addPairedDevice(request, token, "Sales 1", "+60199999999");

  await logInWithToken(page, token);
  await page.goto("/");
  await openFromNav(page, "Leads", "Leads");
  await expect(
    page.getByRole("heading", { name: "No leads yet" }),
  ).toBeVisible();
  await checkScreen(page, "leads-empty");

  // Import: the good rows land, the three bad ones are listed with their lines and reasons.
  await page.getByRole("button", { name: "Import CSV" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Import leads" });
  await dialog.getByLabel("CSV file").setInputFiles({
    name: "leads.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(IMPORT_CSV),
  });
  await expect(dialog).toContainText("leads.csv");
  await checkScreen(page, "leads-import", { fullPage: false });
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("status")).toContainText("Done: 8 rows read.");
  const rejected = dialog
    .getByRole("list", { name: "Rows not imported" })
    .getByRole("listitem");
  await expect(rejected).toHaveCount(3);
  await expect(rejected.nth(0)).toContainText("Line 3");
  await expect(rejected.nth(1)).toContainText("Line 6");
  await expect(rejected.nth(2)).toContainText("Line 8");
  for (let index = 0; index < 3; index += 1) {
    // Each line says why, not just that it failed.
    expect((await rejected.nth(index).innerText()).length).toBeGreaterThan(
      "Line 8 ".length + 5,
    );
  }
  await checkScreen(page, "leads-import-done", { fullPage: false });
  await dialog.getByRole("button", { name: "Close" }).click();

  await expect(rows(page, "Leads")).toHaveCount(5);
  for (const name of [
    "Ana Lim",
    "Ben Ong",
    "Chen Wei",
    "=SUM(A1)",
    "Dina Aziz",
  ]) {
    await expect(rows(page, "Leads").filter({ hasText: name })).toHaveCount(1);
  }
  await checkScreen(page, "leads");

  // Export: the same lines come back, in any order.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const download = await downloading;
  const exported = readFileSync(await download.path(), "utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((line) => line !== "");
  expect(exported[0]).toBe(HEADER);
  expect([...exported.slice(1)].sort()).toEqual([...GOOD_ROWS].sort());

  // A filter narrows the table: the tag "spa".
  await page.getByRole("combobox", { name: "Tags" }).fill("spa");
  await page.getByRole("button", { name: "Add tag" }).click();
  await expect(rows(page, "Leads")).toHaveCount(2);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(rows(page, "Leads")).toHaveCount(5);

  // Opt out from the table.
  await page.getByRole("checkbox", { name: "Select Ben Ong" }).check();
  await page
    .getByRole("region", { name: "Selected rows" })
    .getByRole("button", { name: "Opt out" })
    .click();
  const confirm = page.getByRole("dialog", { name: /Opt out/ });
  await confirm.getByRole("button", { name: "Opt out" }).click();
  await expect(page.getByRole("status")).toContainText("1 number opted out.");
  await expect(
    rows(page, "Leads").filter({ hasText: "Ben Ong" }),
  ).toContainText("Opted out");

  // The opt-outs list has it; a number added by hand joins it.
  await openFromNav(page, "Opt-outs", "Opt-outs");
  await expect(
    rows(page, "Opt-outs").filter({ hasText: "+60111000002" }),
  ).toHaveCount(1);
  await page.getByRole("button", { name: "Add number" }).first().click();
  const add = page.getByRole("dialog", { name: "Opt out a number" });
  await add.getByLabel("Phone number").fill("+60111000077");
  await add.getByLabel("Reason").fill("Asked by phone");
  await add.getByRole("button", { name: "Opt out" }).click();
  await expect(rows(page, "Opt-outs")).toHaveCount(2);
  await checkScreen(page, "opt-outs");

  // AI leads: the same table, with its figures.
  await openFromNav(page, "AI leads", "AI leads");
  await page.getByRole("button", { name: "New AI lead" }).first().click();
  const create = page.getByRole("dialog", { name: "New AI lead" });
  await create.getByLabel("Name").fill("Farah Noor");
  await create.getByLabel("Phone number").fill("+60111000100");
  await create.getByLabel("Tags").fill("gym");
  await create.getByRole("button", { name: "Add AI lead" }).click();
  await expect(
    rows(page, "AI leads").filter({ hasText: "Farah Noor" }),
  ).toHaveCount(1);
  await expect(
    page.getByRole("region", { name: "AI lead figures" }),
  ).toContainText("Total");
  await checkScreen(page, "ai-leads");
});
