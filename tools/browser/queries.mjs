// The search queries the browser checks run against the real site, with what must come
// first; compare-pagefind.mjs runs the same ones through Pagefind.
/** Search queries and what must come first (`first`: that path; `topic`: a path of that
 * topic; `none`: no result), checked in headless Chromium against the real index. */
export const QUERIES = [
  { q: '岳阳 参保地', first: '/yueyang/canbaodi-biangeng/' },
  { q: '岳阳参保地变更', first: '/yueyang/canbaodi-biangeng/' },
  { q: '金华 牙科', first: '/jinhua/yake-baoxiao/' },
  { q: '金华 医保卡激活', first: '/jinhua/yibaoka-jihuo/' },
  { q: '齐齐哈尔 缴费记录', first: '/qiqihaer/jiaofei-jilu/' },
  { q: '北京 报销范围', first: '/beijing/baoxiao-fanwei/' },
  { q: '长沙 参保地变更', first: '/changsha/canbaodi-biangeng/' },
  { q: '呼和浩特 医保卡', first: '/huhehaote/yibaoka-jihuo/' },
  { q: '深圳牙科报销', first: '/shenzhen/yake-baoxiao/' },
  { q: '西宁 医保 缴费', first: '/xining/jiaofei-jilu/' },
  { q: '湖南 参保地', first: '/yueyang/canbaodi-biangeng/' },
  { q: '乌鲁木齐', city: '/wulumuqi/' },
  { q: '种植牙', topic: 'yake-baoxiao' },
  { q: '停保', topic: 'canbaodi-biangeng' },
  { q: '激活', topic: 'yibaoka-jihuo' },
  { q: '缴费记录', topic: 'jiaofei-jilu' },
  { q: '保地', topic: 'canbaodi-biangeng', note: '不是一个词' },
  { q: '公积金', none: true },
];
