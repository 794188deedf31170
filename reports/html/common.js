// @ts-check: tsconfig.browser.json checks this file against the report's TypeScript types (npm run typecheck).
// Shared by every HTML page sophon-conformance writes (report, comparison, run index): the label
// dictionary, the language switch, DOM builders and formatting. Plain browser JavaScript, inlined
// into each page by reports/html/page-shell.ts; it never fetches anything.
(() => {
  /**
   * Every UI label, in English and Simplified Chinese. `{name}` placeholders are filled by t().
   * Verdict, check-result and outcome values from the report are translated here too; the report's
   * own words (ids, titles, messages, clause text) are shown as written.
   */
  const LABELS = {
    'app.name': { en: 'Sophon wipedata conformance', zh: 'Sophon wipedata 一致性测试' },
    'app.report': { en: 'Conformance report', zh: '一致性测试报告' },
    'app.language': { en: 'Language', zh: '语言' },
    'app.switchTo': { en: '中文', zh: 'English' },
    'app.switchToLabel': { en: 'Show in Chinese (中文)', zh: '切换到英文 (English)' },
    'app.print': { en: 'Print', zh: '打印' },
    'app.footer': {
      en: 'Written by {tool} {version}. This file is self-contained: it loads nothing from any network.',
      zh: '由 {tool} {version} 生成。本文件自包含，不从任何网络加载内容。',
    },
    'app.noData': { en: 'The report data could not be read.', zh: '无法读取报告数据。' },

    'gate.title': { en: 'Gate verdict', zh: '门禁结论' },
    'gate.pass': { en: 'PASS', zh: '通过' },
    'gate.fail': { en: 'FAIL', zh: '不通过' },
    'gate.incomplete': { en: 'INCOMPLETE', zh: '不完整' },
    'gate.error': { en: 'NOT RUN', zh: '未能运行' },
    'gate.exit0': { en: 'Exit 0: every MUST case passed.', zh: '退出码 0：所有 MUST 用例均通过。' },
    'gate.exit1': {
      en: 'Exit 1: a MUST case failed. A release gate must stop here.',
      zh: '退出码 1：有 MUST 用例失败，发布门禁应在此拦截。',
    },
    'gate.exit2': { en: 'Exit 2: the run could not be carried out.', zh: '退出码 2：测试未能执行。' },
    'gate.exit3': {
      en: 'Exit 3: no MUST case failed, but some could not be tested. This is not a pass.',
      zh: '退出码 3：没有 MUST 用例失败，但部分用例无法测试，不能视为通过。',
    },
    'gate.exitOther': { en: 'Exit {code}.', zh: '退出码 {code}。' },
    'gate.interrupted': {
      en: 'Interrupted: the run stopped early and these results are partial.',
      zh: '运行被中断：提前停止，结果不完整。',
    },
    'gate.uncoveredMust': { en: 'MUST clauses no selected case covers:', zh: '没有用例覆盖的 MUST 条款：' },
    'gate.firstFailure': { en: 'Open the first failure', zh: '查看第一个失败用例' },
    'gate.firstProblem': { en: 'Open the first case that could not be tested', zh: '查看第一个无法测试的用例' },
    'gate.counts': { en: 'Cases by verdict (select one to filter the case list)', zh: '按结论统计（点击可筛选用例）' },
    'gate.total': { en: 'All', zh: '全部' },

    'verdict.pass': { en: 'Pass', zh: '通过' },
    'verdict.fail': { en: 'Fail', zh: '失败' },
    'verdict.warn': { en: 'Warn', zh: '警告' },
    'verdict.not-applicable': { en: 'Not applicable', zh: '不适用' },
    'verdict.could-not-test': { en: 'Could not test', zh: '无法测试' },
    'verdict.uncovered': { en: 'Uncovered', zh: '未覆盖' },

    'meta.target': { en: 'Target', zh: '被测设备' },
    'meta.firmware': { en: 'Firmware', zh: '固件' },
    'meta.licenseKey': { en: 'License key', zh: '许可证密钥' },
    'meta.profile': { en: 'Profile', zh: '判定模式' },
    'meta.suite': { en: 'Suite', zh: '测试套件' },
    'meta.tool': { en: 'Tool', zh: '工具' },
    'meta.specHash': { en: 'Spec hash', zh: '规范哈希' },
    'meta.startedAt': { en: 'Started', zh: '开始时间' },
    'meta.finishedAt': { en: 'Finished', zh: '结束时间' },
    'meta.duration': { en: 'Duration', zh: '耗时' },
    'meta.capabilities': { en: 'Capabilities', zh: '设备能力' },
    'meta.capabilitiesAssumed': {
      en: 'no manifest given: every capability assumed',
      zh: '未提供能力清单：假定具备全部能力',
    },
    'meta.waivers': { en: 'Waivers', zh: '豁免' },
    'meta.waiverCounts': {
      en: '{waived} waived, {expired} expired, {unneeded} no longer needed',
      zh: '已豁免 {waived}，已过期 {expired}，不再需要 {unneeded}',
    },
    'meta.repeat': { en: 'Repeats', zh: '重复次数' },
    'meta.repeatCounts': { en: '{n} runs per case, {flaky} flaky', zh: '每个用例 {n} 次，{flaky} 个不稳定' },
    'case.waived': { en: 'waived until {expires}', zh: '豁免至 {expires}' },
    'case.waiverExpired': { en: 'waiver expired {expires}', zh: '豁免已于 {expires} 过期' },
    'case.waiverUnneeded': { en: 'waiver no longer needed', zh: '豁免已不再需要' },
    'case.flaky': { en: 'flaky', zh: '不稳定' },
    'meta.unknown': { en: 'not reported', zh: '未提供' },
    'profile.strict': { en: 'strict', zh: '严格 (strict)' },
    'profile.lenient': { en: 'lenient', zh: '宽松 (lenient)' },

    'attention.title': { en: 'Needs attention', zh: '需要关注' },
    'attention.none': { en: 'Every case passed.', zh: '所有用例均通过。' },
    'attention.noneInterrupted': {
      en: 'Every case that ran passed, but the run was interrupted.',
      zh: '已运行的用例均通过，但运行被中断。',
    },

    'groups.title': { en: 'What failed, grouped', zh: '问题归类' },
    'groups.lead': {
      en: '{cases} cases did not pass, for {reasons} distinct reasons and under {clauses} clauses.',
      zh: '{cases} 个用例未通过：共 {reasons} 种不同原因，涉及 {clauses} 个条款。',
    },
    'groups.view': { en: 'Group the cases that did not pass', zh: '未通过用例的归类方式' },
    'groups.byCause': { en: 'By cause ({n})', zh: '按原因（{n}）' },
    'groups.byClause': { en: 'By clause ({n})', zh: '按条款（{n}）' },
    'groups.count': { en: '{n} cases', zh: '{n} 个用例' },
    'groups.count1': { en: '1 case', zh: '1 个用例' },
    'groups.ofTotal': { en: '{n} of {total} cases', zh: '{total} 个用例中 {n} 个' },
    'groups.expected': { en: 'expected', zh: '期望' },
    'groups.received': { en: 'received', zh: '实际' },
    'groups.waived': { en: 'waived', zh: '已豁免' },
    'groups.more': { en: '+{n} more checks', zh: '另有 {n} 项检查' },
    'groups.casesOf': { en: 'The cases', zh: '相关用例' },
    'groups.none': { en: 'Nothing to group: every case passed.', zh: '无需归类：所有用例均通过。' },

    'coverage.title': { en: 'Clause coverage', zh: '条款覆盖' },
    'coverage.legend': {
      en: 'One square per case citing the clause, coloured by its verdict. Select a clause for its requirement, source and cases.',
      zh: '每个方块代表引用该条款的一个用例，颜色表示其结论。点击条款可查看条款内容、来源和用例。',
    },
    'coverage.caseCount': { en: '{n} cases', zh: '{n} 个用例' },
    'coverage.caseCount1': { en: '1 case', zh: '1 个用例' },
    'coverage.clause': { en: 'Clause', zh: '条款' },
    'coverage.text': { en: 'Requirement', zh: '条款内容' },
    'coverage.source': { en: 'Source', zh: '来源' },
    'coverage.cases': { en: 'Cases', zh: '用例' },
    'coverage.none': { en: 'No clause catalogue in this report.', zh: '本报告不含条款目录。' },

    'cases.title': { en: 'Cases', zh: '测试用例' },
    'cases.case': { en: 'Case', zh: '用例' },
    'cases.level': { en: 'Level', zh: '级别' },
    'cases.verdict': { en: 'Verdict', zh: '结论' },
    'cases.clauses': { en: 'Clauses', zh: '条款' },
    'cases.tags': { en: 'Tags', zh: '标签' },
    'cases.transport': { en: 'Transport', zh: '传输方式' },
    'cases.duration': { en: 'Duration', zh: '耗时' },
    'cases.why': { en: 'Why this verdict', zh: '判定原因' },
    'cases.source': { en: 'Defined at', zh: '定义位置' },
    'cases.startedAt': { en: 'Started', zh: '开始时间' },
    'cases.link': { en: 'Link', zh: '链接' },
    'cases.linkLabel': { en: 'Link to case {id}', zh: '用例 {id} 的链接' },
    'cases.showing': { en: '{shown} of {total} cases shown', zh: '显示 {shown} / {total} 个用例' },
    'cases.noMatch': { en: 'No case matches these filters.', zh: '没有符合筛选条件的用例。' },

    'filter.title': { en: 'Filters', zh: '筛选' },
    'filter.any': { en: 'Any', zh: '全部' },
    'filter.search': { en: 'Search', zh: '搜索' },
    'filter.searchPlaceholder': { en: 'id, title or message', zh: '编号、标题或说明' },
    'filter.clear': { en: 'Clear filters', zh: '清除筛选' },
    'filter.expandAll': { en: 'Expand all', zh: '全部展开' },
    'filter.collapseAll': { en: 'Collapse all', zh: '全部折叠' },

    'checks.title': { en: 'Checks', zh: '检查项' },
    'checks.check': { en: 'Check', zh: '检查' },
    'checks.result': { en: 'Result', zh: '结果' },
    'checks.expected': { en: 'Expected', zh: '期望' },
    'checks.received': { en: 'Received', zh: '实际' },
    'checks.vs': { en: 'Expected vs received', zh: '期望与实际对比' },
    'checks.none': { en: 'No check ran.', zh: '没有执行任何检查。' },
    'result.pass': { en: 'pass', zh: '通过' },
    'result.fail': { en: 'fail', zh: '失败' },
    'result.lenient': { en: 'lenient (warning)', zh: '宽松接受（警告）' },
    'result.unobservable': { en: 'unobservable', zh: '无法观察' },

    'http.title': { en: 'HTTP exchanges', zh: 'HTTP 交互' },
    'http.exchange': { en: 'Exchange {n}', zh: '交互 {n}' },
    'http.request': { en: 'Request', zh: '请求' },
    'http.response': { en: 'Response', zh: '响应' },
    'http.headers': { en: 'Headers', zh: '头部' },
    'http.body': { en: 'Body', zh: '正文' },
    'http.status': { en: 'Status', zh: '状态码' },
    'http.noResponse': { en: 'No response', zh: '无响应' },
    'http.noHeaders': { en: 'no headers', zh: '无头部' },
    'http.noBody': { en: 'no body', zh: '无正文' },
    'http.error': { en: 'Transport error', zh: '传输错误' },
    'http.timings': { en: 'Timings (ms from case start)', zh: '时间（自用例开始，毫秒）' },
    'http.sentAt': { en: 'sent', zh: '发送' },
    'http.headersAt': { en: 'headers received', zh: '收到头部' },
    'http.completeAt': { en: 'complete', zh: '完成' },

    'body.empty': { en: 'empty (0 bytes)', zh: '空（0 字节）' },
    'body.bytes': { en: '{n} bytes', zh: '{n} 字节' },
    'body.truncated': { en: 'truncated: longer than the evidence limit', zh: '已截断：超过证据长度上限' },
    'body.json': { en: 'JSON, pretty-printed', zh: 'JSON（已格式化）' },
    'body.text': { en: 'text, as received', zh: '文本（原样）' },
    'body.hex': { en: 'binary (not UTF-8), hex dump', zh: '二进制（非 UTF-8），十六进制' },
    'body.bom': { en: 'starts with a UTF-8 byte order mark (U+FEFF)', zh: '以 UTF-8 字节顺序标记 (U+FEFF) 开头' },
    'body.exact': { en: 'Exact text', zh: '原始文本' },
    'body.duplicateKeys': {
      en: 'Duplicate keys: the pretty-printed view keeps only the last value of each; the exact text is shown.',
      zh: '存在重复键：格式化视图只保留最后一个值，因此显示原始文本。',
    },

    'reproduce.title': { en: 'Reproduce', zh: '复现命令' },
    'reproduce.copy': { en: 'Copy', zh: '复制' },
    'reproduce.copied': { en: 'Copied', zh: '已复制' },
    'reproduce.copyFailed': { en: 'Select the text and copy it by hand', zh: '请手动选中文本复制' },

    'reboot.title': { en: 'Reboot timeline', zh: '重启时间线' },
    'reboot.outcome': { en: 'Outcome', zh: '结果' },
    'reboot.stayed-up': { en: 'stayed up', zh: '未重启' },
    'reboot.rebooted': { en: 'rebooted', zh: '已重启' },
    'reboot.not-back': { en: 'did not come back', zh: '未恢复' },
    'reboot.not-ready': { en: 'back, but the API was never ready', zh: '已上线，但接口未就绪' },
    'reboot.rebooted-unseen': {
      en: 'rebooted between probes (seen by boot identity)',
      zh: '在探测间隙重启（由启动标识发现）',
    },
    'reboot.response': { en: 'response complete', zh: '响应完成' },
    'reboot.down': { en: 'down', zh: '下线' },
    'reboot.up': { en: 'up', zh: '上线' },
    'reboot.ready': { en: 'API ready', zh: '接口就绪' },
    'reboot.watched': { en: 'watched until', zh: '观察至' },
    'reboot.deadline': { en: 'up window ended', zh: '恢复窗口结束' },
    'reboot.downWindow': { en: 'down window', zh: '下线窗口' },
    'reboot.upWindow': { en: 'up window (from down)', zh: '恢复窗口（自下线起）' },
    'reboot.probe': { en: 'probe interval', zh: '探测间隔' },
    'reboot.uptimeBefore': { en: 'boot identity before', zh: '重启前启动标识' },
    'reboot.uptimeAfter': { en: 'boot identity after', zh: '重启后启动标识' },
    'reboot.notSeen': { en: 'not observed', zh: '未观察到' },
    'reboot.mark': { en: 'Mark', zh: '节点' },
    'reboot.at': { en: 'ms after the response', zh: '响应后毫秒数' },
    'reboot.beyond': { en: 'ends at {ms}', zh: '结束于 {ms}' },

    'state.title': { en: 'Device state', zh: '设备状态' },
    'state.category': { en: 'Category', zh: '类别' },
    'state.before': { en: 'Before', zh: '之前' },
    'state.afterResponse': { en: 'After response', zh: '响应后' },
    'state.after': { en: 'After', zh: '之后' },
    'state.identities': { en: 'Identities', zh: '人员' },
    'state.permissions': { en: 'Permission groups', zh: '权限组' },
    'state.mediaDevices': { en: 'Input devices', zh: '输入设备' },
    'state.events': { en: 'Recognition records', zh: '识别记录' },
    'state.settings': { en: 'Smart settings', zh: '智能设置' },
    'state.faces': { en: '{n} faces', zh: '{n} 张人脸' },
    'state.seeded': { en: 'seeded', zh: '已预置' },
    'state.unseedable': { en: 'could not be seeded', zh: '无法预置' },
    'state.setting': { en: 'Setting', zh: '设置项' },
    'state.changed': { en: 'changed', zh: '有变化' },
    'state.absent': { en: 'absent', zh: '缺失' },

    'evidence.outcome': { en: 'Outcome matched', zh: '匹配的结果分支' },
    'evidence.notes': { en: 'Notes', zh: '备注' },
    'evidence.other': { en: 'Other evidence: {key}', zh: '其他证据：{key}' },
    'evidence.none': { en: 'No evidence was recorded.', zh: '没有记录证据。' },

    'amqp.title': { en: 'MQ messages', zh: 'MQ 消息' },
    'amqp.broker': { en: 'Broker', zh: '消息代理' },
    'amqp.commandQueue': { en: 'Command queue', zh: '命令队列' },
    'amqp.upQueue': { en: 'Up queue', zh: '上报队列' },
    'amqp.published': { en: 'Published {n}: {role} → {queue}', zh: '发布 {n}：{role} → {queue}' },
    'amqp.reply': { en: 'Reply {n} on {channel}', zh: '回复 {n}，通道 {channel}' },
    'amqp.noReplies': { en: 'No reply arrived.', zh: '未收到回复。' },
    'amqp.at': { en: 'at {ms} from case start', zh: '用例开始后 {ms}' },
    'amqp.properties': { en: 'Properties', zh: '属性' },
    'amqp.meta': { en: 'Delivery', zh: '投递信息' },
    'amqp.matchedBy': { en: 'matched by {how}', zh: '匹配方式：{how}' },
    'amqp.answers': { en: 'answers the {role} message', zh: '对应 {role} 消息' },

    'compare.title': { en: 'Run comparison', zh: '运行对比' },
    'compare.a': { en: 'Baseline (A)', zh: '基准 (A)' },
    'compare.b': { en: 'Current (B)', zh: '当前 (B)' },
    'compare.newlyFailing': { en: 'Newly failing', zh: '新增失败' },
    'compare.newlyPassing': { en: 'Newly passing', zh: '新近通过' },
    'compare.stillFailing': { en: 'Still failing', zh: '仍然失败' },
    'compare.verdictChanges': { en: 'All verdict changes', zh: '全部结论变化' },
    'compare.added': { en: 'Cases only in B', zh: '仅在 B 中的用例' },
    'compare.removed': { en: 'Cases only in A', zh: '仅在 A 中的用例' },
    'compare.changedEvidence': { en: 'Changed evidence', zh: '证据变化' },
    'compare.sameVerdict': { en: 'Same verdict, different evidence ({n})', zh: '结论相同、证据不同（{n}）' },
    'compare.movedVerdict': { en: 'Behind a verdict change ({n})', zh: '伴随结论变化（{n}）' },
    'compare.differences': { en: '{n} differences', zh: '{n} 处不同' },
    'compare.what': { en: 'What', zh: '内容' },
    'compare.none': { en: 'None.', zh: '无。' },
    'compare.unchanged': { en: '{n} cases with the same verdict and evidence.', zh: '{n} 个用例结论与证据均未变化。' },
    'compare.compared': {
      en: 'Compared {compared} of {cases} cases ({onlyA} only in A, {onlyB} only in B).',
      zh: '共 {cases} 个用例，比较了 {compared} 个（仅 A 有 {onlyA} 个，仅 B 有 {onlyB} 个）。',
    },
    'compare.differentSuite': {
      en: 'The two runs used different suites, targets or spec hashes; compare with care.',
      zh: '两次运行的测试套件、被测设备或规范哈希不同，请谨慎对比。',
    },
    'compare.differentBasis': {
      en: 'The two runs differ in what they ran; cases are compared by id, so compare with care:',
      zh: '两次运行的测试基础不同；用例按 ID 对比，请谨慎解读：',
    },

    'index.title': { en: 'Conformance runs', zh: '测试运行记录' },
    'index.builds': { en: 'Firmware builds (ledger)', zh: '固件版本（结果台账）' },
    'index.in': { en: 'Runs in {dir}, newest first', zh: '{dir} 中的运行记录（最新在前）' },
    'index.run': { en: 'Run', zh: '运行' },
    'index.counts': { en: 'Pass / fail / warn / n.a. / could not test', zh: '通过 / 失败 / 警告 / 不适用 / 无法测试' },
    'index.files': { en: 'Files', zh: '文件' },
    'index.none': { en: 'No run folder with a report.json here yet.', zh: '这里还没有包含 report.json 的运行目录。' },
    'index.unreadable': { en: 'report.json could not be read', zh: 'report.json 无法读取' },
    'index.compareTitle': { en: 'Compare two runs', zh: '对比两次运行' },
    'index.compare': { en: 'Compare', zh: '对比' },
    'index.interrupted': { en: 'interrupted, partial', zh: '已中断，结果不完整' },
    'index.total': { en: '{n} cases', zh: '共 {n} 个用例' },
    'index.vsPrevious': { en: 'compare with previous', zh: '与上一次对比' },
    'index.back': { en: 'All runs', zh: '全部运行记录' },

    'fleet.title': { en: 'Fleet report', zh: '设备群报告' },
    'fleet.gateTitle': { en: 'Fleet gate', zh: '设备群门禁结论' },
    'fleet.exit0': {
      en: 'Exit 0: every device of the lab passed every MUST case.',
      zh: '退出码 0：实验室所有设备的 MUST 用例均通过。',
    },
    'fleet.exit1': {
      en: 'Exit 1: a device failed a MUST case. A release gate must stop here.',
      zh: '退出码 1：有设备的 MUST 用例失败，发布门禁应在此拦截。',
    },
    'fleet.exit2': {
      en: 'Exit 2: a device could not be run, or a shard or a report is missing. This is not a pass.',
      zh: '退出码 2：有设备未能运行，或缺少分片或报告，不能视为通过。',
    },
    'fleet.exit3': {
      en: 'Exit 3: no device failed, but some could not be tested completely. This is not a pass.',
      zh: '退出码 3：没有设备失败，但部分设备未能完整测试，不能视为通过。',
    },
    'fleet.devicesByGate': { en: 'Devices by gate', zh: '按门禁结论统计设备' },
    'fleet.missing': { en: 'MISSING', zh: '缺失' },
    'fleet.missingShards': {
      en: 'Shards not given to merge: the fleet cannot pass without them.',
      zh: '以下分片未提供给合并：缺少它们，设备群不能通过。',
    },
    'fleet.missingShard': { en: 'Shard {index}/{count}: {devices}', zh: '分片 {index}/{count}：{devices}' },
    'fleet.noDevice': { en: 'no device', zh: '无设备' },
    'fleet.missingReports': {
      en: 'Some devices ran but their reports are missing from their shard.',
      zh: '部分设备已运行，但其分片中缺少报告。',
    },
    'fleet.cases': { en: 'Cases per device', zh: '每台设备用例数' },
    'fleet.lab': { en: 'Lab', zh: '实验室' },
    'fleet.labSize': { en: '{devices} devices in {shards} shards', zh: '{devices} 台设备，{shards} 个分片' },
    'fleet.shards': { en: 'Shards merged', zh: '已合并分片' },
    'fleet.shardsGiven': { en: '{given} of {count} ({list})', zh: '{given} / {count}（{list}）' },
    'fleet.mergedAt': { en: 'Merged', zh: '合并时间' },
    'fleet.deviceCount': { en: '{n} devices', zh: '{n} 台设备' },
    'fleet.deviceCountOne': { en: '1 device', zh: '1 台设备' },
    'fleet.device': { en: 'Device', zh: '设备' },
    'fleet.shard': { en: 'Shard', zh: '分片' },
    'fleet.firmwareTitle': { en: 'Devices by firmware version', zh: '按固件版本分组的设备' },
    'fleet.firmwareNone': { en: 'firmware not reported', zh: '未报告固件版本' },
    'fleet.matrixTitle': { en: 'Clauses × devices', zh: '条款 × 设备' },
    'fleet.matrixHelp': {
      en: "Each cell is the worst verdict of the device's cases that cite the clause; select a cell to open the case behind it in the device's report.",
      zh: '每个单元格是该设备引用此条款的用例中最差的结论；点击单元格可在该设备的报告中打开对应用例。',
    },
    'fleet.onlyProblemClauses': { en: 'Only clauses some device did not pass', zh: '只显示有设备未通过的条款' },
    'fleet.onlyProblemDevices': { en: 'Only devices that did not pass', zh: '只显示未通过的设备' },
    'fleet.noProblems': {
      en: 'Every device passed every clause its cases cover.',
      zh: '所有设备均通过了其用例覆盖的全部条款。',
    },
    'fleet.cell': { en: '{device} · {clause} ({level}): {verdict}', zh: '{device} · {clause}（{level}）：{verdict}' },
  };

  const STORAGE_KEY = 'sophon-conformance.lang';

  function initialLanguage() {
    try {
      const saved = window.localStorage.getItem(STORAGE_KEY);
      if (saved === 'en' || saved === 'zh') return saved;
    } catch {
      // Storage can be off (privacy settings, some file:// setups): fall back to the browser's language.
    }
    return /^zh\b/i.test(navigator.language || '') ? 'zh' : 'en';
  }

  let language = initialLanguage();

  /** The label for `key` in the current language, with `{name}` placeholders filled from `params`. */
  function t(key, params) {
    const entry = LABELS[key];
    const text = entry ? entry[language] : key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  }

  function showLanguage() {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  }

  /** Switches the page language and remembers the choice for every report opened in this browser. */
  function setLanguage(next) {
    language = next;
    showLanguage();
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered; the switch still works for this page.
    }
  }

  /**
   * Builds an element. `attrs` keys: `class`, `text`, `on<Event>` handlers, `dataset`, booleans for
   * boolean attributes; everything else is set as an attribute. Children are nodes or strings (text).
   * Report data only ever reaches the page as text nodes or attribute values, never as markup.
   */
  function h(tag, attrs, ...children) {
    return build(document.createElement(tag), attrs, children);
  }

  /** The same for SVG elements. */
  function svg(tag, attrs, ...children) {
    return build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);
  }

  function build(node, attrs, children) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else if (name === 'dataset') Object.assign(node.dataset, value);
      else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
      else node.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
    }
    return node;
  }

  const VERDICT_ICON = {
    pass: '✓',
    fail: '✗',
    warn: '!',
    'not-applicable': '–',
    'could-not-test': '?',
    uncovered: '∅',
  };

  /** A verdict as a badge: icon and words, so colour is never the only signal. */
  function verdictBadge(verdict, extraClass) {
    return h(
      'span',
      { class: `badge v-${verdict}${extraClass ? ` ${extraClass}` : ''}` },
      h('span', { class: 'badge-icon', 'aria-hidden': 'true', text: VERDICT_ICON[verdict] || '·' }),
      t(`verdict.${verdict}`),
    );
  }

  /** A summary's five counts, each with its verdict's icon and word (screen readers get the words). */
  function verdictCounts(s) {
    const parts = [
      ['pass', s.pass],
      ['fail', s.fail],
      ['warn', s.warn],
      ['not-applicable', s.notApplicable],
      ['could-not-test', s.couldNotTest],
    ];
    return h(
      'span',
      { class: 'run-counts' },
      parts.map(([verdict, n]) =>
        h(
          'span',
          { class: `run-count v-${verdict}${n ? '' : ' zero'}`, title: t(`verdict.${verdict}`), dataset: { verdict } },
          h('span', { class: 'badge-icon', 'aria-hidden': 'true', text: VERDICT_ICON[verdict] }),
          h('span', { class: 'run-count-n', text: n }),
          h('span', { class: 'visually-hidden', text: ` ${t(`verdict.${verdict}`)}` }),
        ),
      ),
    );
  }

  const GATE = {
    0: { key: 'gate.pass', cls: 'gate-pass', icon: '✓' },
    1: { key: 'gate.fail', cls: 'gate-fail', icon: '✗' },
    2: { key: 'gate.error', cls: 'gate-error', icon: '!' },
    3: { key: 'gate.incomplete', cls: 'gate-incomplete', icon: '?' },
  };

  /** What an exit code means for a gate (design §3). */
  function gateOf(exitCode) {
    const gate = GATE[exitCode] || { key: 'gate.error', cls: 'gate-error', icon: '!' };
    const meaning = [0, 1, 2, 3].includes(exitCode)
      ? t(`gate.exit${exitCode}`)
      : t('gate.exitOther', { code: exitCode });
    return { label: t(gate.key), cls: gate.cls, icon: gate.icon, meaning };
  }

  function gateBadge(exitCode) {
    const gate = gateOf(exitCode);
    return h(
      'span',
      { class: `badge gate-badge ${gate.cls}` },
      h('span', { class: 'badge-icon', 'aria-hidden': 'true', text: gate.icon }),
      gate.label,
    );
  }

  /** `1234` → `1.23 s`; small values in ms. Numbers keep a fixed format so reports diff cleanly. */
  function formatMs(ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return '–';
    if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
    if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
    const minutes = Math.floor(ms / 60_000);
    return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  }

  /** An ISO time as `2026-11-23 01:05:29 UTC`: the same for every reader, whatever their time zone. */
  function formatTime(iso) {
    if (typeof iso !== 'string' || !iso) return t('meta.unknown');
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  }

  function durationBetween(startIso, endIso) {
    const ms = new Date(endIso).getTime() - new Date(startIso).getTime();
    return Number.isFinite(ms) ? formatMs(ms) : '–';
  }

  /** The language switch button for a page header; `rerender` redraws the page in the new language. */
  function languageButton(rerender) {
    return h('button', {
      type: 'button',
      class: 'button button-quiet lang-switch',
      lang: language === 'zh' ? 'en' : 'zh-CN',
      'aria-label': t('app.switchToLabel'),
      title: t('app.switchToLabel'),
      text: t('app.switchTo'),
      onclick: () => {
        setLanguage(language === 'zh' ? 'en' : 'zh');
        rerender();
      },
    });
  }

  /**
   * The header every page shares: the app name and the page title, the page's own `nav`, then the
   * language switch (and a print button where the page is worth printing).
   */
  function topbar(title, nav, rerender, { print = false } = {}) {
    return h(
      'header',
      { class: 'topbar' },
      h(
        'div',
        { class: 'topbar-inner' },
        h(
          'div',
          { class: 'topbar-title' },
          h('span', { class: 'topbar-app', text: t('app.name') }),
          h('h1', { class: 'topbar-h1', text: title }),
        ),
        nav,
        h(
          'div',
          { class: 'topbar-actions controls' },
          languageButton(rerender),
          print
            ? h('button', {
                type: 'button',
                class: 'button button-quiet',
                text: t('app.print'),
                onclick: () => window.print(),
              })
            : null,
        ),
      ),
    );
  }

  /** Parses the JSON a page embeds in `<script type="application/json" id=...>`. */
  function readData(id) {
    const node = document.getElementById(id);
    if (!node) return undefined;
    try {
      return JSON.parse(node.textContent || '');
    } catch {
      return undefined;
    }
  }

  showLanguage();

  globalThis.SophonPage = {
    LABELS,
    t,
    h,
    svg,
    VERDICT_ICON,
    verdictBadge,
    verdictCounts,
    gateOf,
    gateBadge,
    formatMs,
    formatTime,
    durationBetween,
    languageButton,
    topbar,
    readData,
    language: () => language,
  };
})();
