"""The data dictionary: every field of parcels, buildings and projects, defined once.

Forms, popups, import, export, the API schema and validation all read these definitions;
nothing else may keep its own list of fields. What a field is (``Field``) and how records are
checked live in geo/field_types.py.
"""

from __future__ import annotations

from geo.field_types import (
    UNITS,
    Choice,
    Field,
    alias_index,
    choices_of,
    clean_record,
    json_value,
)

LAYERS = choices_of(
    ("idle", "闲置工业用地", "Idle industrial land"),
    ("stock", "存量建设用地", "Stock construction land"),
    ("sites", "项目用地", "Project sites"),
)

PARCEL_STATUSES = choices_of(
    ("available", "可供地", "Available"),
    ("underused", "低效利用", "Under-used"),
    ("reserved", "已意向", "Reserved"),
    ("supplied", "已供应", "Supplied"),
    ("idle", "闲置未处置", "Idle, not disposed"),
    ("disposing", "处置中", "Disposal under way"),
    ("disposed", "已处置", "Disposed"),
    ("recovered", "已收回", "Taken back"),
)

STAGES = choices_of(
    ("pipeline", "储备", "Pipeline"),
    ("signed", "签约", "Signed"),
    ("landed", "落地", "Land secured"),
    ("started", "开工", "Started"),
    ("building", "建设", "Under construction"),
    ("producing", "投产", "In production"),
)

CHAINS = choices_of(
    ("culture_tourism", "文化旅游", "Culture and tourism"),
    ("equipment", "装备制造", "Equipment manufacturing"),
    ("new_materials", "新材料", "New materials"),
    ("new_energy", "新能源", "New energy"),
    ("energy_saving", "节能环保", "Energy saving and environmental protection"),
    ("food_medicine", "食品医药", "Food and medicine"),
    ("modern_services", "现代服务业", "Modern services"),
    ("nev", "新能源汽车", "New-energy vehicles"),
    ("circular", "循环经济", "Circular economy"),
    ("logistics", "现代物流", "Modern logistics"),
    ("coking_steel", "焦化钢铁", "Coking and steel chain"),
)

IDLE = frozenset({"idle"})

YES_NO = choices_of(("yes", "是", "Yes"), ("no", "否", "No"))

# The land-use code systems of data/landuse/ (geo/reference.py); a parcel stores the system of
# each of its codes, since one code means different things in different systems.
CODE_SYSTEMS = choices_of(
    ("gbt21010", "GB/T 21010-2017 土地利用现状分类", "GB/T 21010-2017 current land use"),
    ("sandiao", "三调工作分类", "Third land survey working classification"),
    ("ydyh2023", "用地用海分类（2023）", "Land and sea use classification (2023)"),
)

# Units a registered (declared) area may be given in.
AREA_UNITS = choices_of(("m2", "平方米", "m²"), ("mu", "亩", "mu"), ("ha", "公顷", "ha"))

# The class set of data/landuse/*.csv that matching compares (docs/domain.md "Land-use codes").
LAND_CLASSES = choices_of(
    ("industrial1", "一类工业用地", "Class 1 industrial land"),
    ("industrial2", "二类工业用地", "Class 2 industrial land"),
    ("industrial3", "三类工业用地", "Class 3 industrial land"),
    ("industrial", "工业用地（不分类）", "Industrial land, any class"),
    ("storage", "物流仓储用地", "Logistics and storage land"),
    ("commercial", "商业服务业用地", "Commercial land"),
    ("mining", "采矿用地", "Mining land"),
)

# 建设性质 of a key project in the county's ledger: started this year, or carried on.
BUILD_NATURES = choices_of(("new", "新建", "New"), ("continued", "续建", "Continued"))
# How the land was supplied (供地方式); 令53's fee is a share of the 出让 or 划拨 price.
SUPPLY_METHODS = choices_of(
    ("transfer", "出让", "Transfer (出让)"),
    ("allocation", "划拨", "Allocation (划拨)"),
    ("lease", "租赁", "Lease"),
    ("capital", "作价出资（入股）", "Capital contribution"),
)

# A project's yearly emissions: a match's needs, and what a landed project holds of its
# zone's quota (geo/capacity.py).
EMISSION_FIELDS: tuple[Field, ...] = tuple(
    Field(f"emission_{p}", zh, en, "number", unit="t_per_year", min=0, max=100_000,
          aliases=(zh, f"PF{p.upper()}"))  # PF (排放): a Shapefile's short column name
    for p, zh, en in (("so2", "二氧化硫排放量", "SO2 emissions"),
                      ("nox", "氮氧化物排放量", "NOx emissions"),
                      ("pm", "颗粒物排放量", "Particulate emissions"),
                      ("voc", "挥发性有机物排放量", "VOC emissions"),
                      ("cod", "化学需氧量排放量", "COD emissions"),
                      ("nh3n", "氨氮排放量", "Ammonia nitrogen emissions")))

OFFER_STATUSES = choices_of(
    ("offered", "已推介", "Offered"),
    ("visited", "已踏勘", "Site visited"),
    ("interested", "有意向", "Interested"),
    ("declined", "不合适", "Declined"),
    ("chosen", "已选定", "Chosen"),
)

PARCEL_FIELDS: tuple[Field, ...] = (
    Field("code", "地块编号", "Parcel code", "text", required=True, max_length=40,
          aliases=("地块编号", "地块编码", "宗地号", "宗地编号", "宗地代码", "编号", "DKBH", "ZDH",
                   "ZDDM", "BH")),
    Field("layer", "图层", "Layer", "choice", required=True, choices=LAYERS[:2],
          aliases=("图层", "类型", "TC")),
    Field("name", "地块名称", "Name", "text", max_length=200,
          aliases=("地块名称", "名称", "宗地名称", "DKMC", "MC")),
    Field("town", "所在乡镇", "Town", "text", max_length=20,
          aliases=("乡镇", "所在乡镇", "乡镇名称", "XZ", "XZMC")),
    Field("park", "所在园区", "Industrial park", "text", max_length=20,
          aliases=("园区", "所在园区", "开发区", "YQ")),
    # The area computed on the CGCS2000 ellipsoid, always; the file's own (legal, usually
    # planar Gauss–Krüger) area is kept beside it as given (docs/domain.md "Coordinates").
    Field("area_m2", "椭球面积", "Ellipsoidal area", "number", unit="m2", min=0, computed=True,
          aliases=("椭球面积", "计算面积", "TQMJ")),
    Field("registered_area", "登记面积", "Registered area", "number", min=0,
          max=1_000_000_000, aliases=("登记面积", "DJMJ", "面积", "宗地面积", "地块面积",
                                      "土地面积", "出让面积", "MJ", "ZDMJ")),
    Field("registered_area_unit", "登记面积单位", "Registered area unit", "choice",
          choices=AREA_UNITS, aliases=("登记面积单位", "面积单位", "DJMJDW")),
    Field("ownership", "权属性质", "Right type", "choice",
          choices=choices_of(("state", "国有", "State-owned"),
                             ("collective", "集体", "Collective")),
          aliases=("权属性质", "权属", "所有权性质", "QSXZ")),
    Field("holder", "权利人", "Right holder", "text", max_length=200, internal_on=IDLE,
          aliases=("权利人", "土地使用权人", "使用权人", "原土地使用者", "QLR")),
    # Current use (现状, e.g. 三调) and planned use (规划, e.g. 用地用海 2023) are different
    # facts, each with its code system; matching reads the planned use, else the current.
    Field("land_use", "现状地类编码", "Current land-use code", "text", max_length=10,
          aliases=("现状地类编码", "地类编码", "现状地类", "地类", "用途", "土地用途", "用途编码",
                   "DLBM", "DLMC", "YT", "TDYT")),
    Field("land_use_system", "现状地类分类", "Current land-use code system", "choice",
          choices=CODE_SYSTEMS, aliases=("现状地类分类", "地类分类", "XZFL")),
    Field("planned_use", "规划用途编码", "Planned land-use code", "text", max_length=10,
          aliases=("规划用途编码", "规划用途", "规划地类", "规划用地性质", "用地性质", "GHYT",
                   "GHDL")),
    Field("planned_use_system", "规划用途分类", "Planned land-use code system", "choice",
          choices=CODE_SYSTEMS, aliases=("规划用途分类", "GHFL")),
    Field("status", "状态", "Status", "choice", required=True, choices=PARCEL_STATUSES,
          aliases=("状态", "利用状态", "ZT")),
    Field("plot_ratio", "容积率", "Plot ratio", "number", min=0, max=20,
          aliases=("容积率", "现状容积率", "RJL")),
    Field("plot_ratio_min", "规划容积率下限", "Planned plot ratio, min", "number", min=0, max=20,
          aliases=("容积率下限", "规划容积率下限", "RJLXX")),
    Field("plot_ratio_max", "规划容积率上限", "Planned plot ratio, max", "number", min=0, max=20,
          aliases=("容积率上限", "规划容积率上限", "RJLSX")),
    Field("building_coefficient", "建筑系数", "Building coefficient", "number", unit="percent",
          min=0, max=100, aliases=("建筑系数", "JZXS")),
    Field("investment_intensity", "投资强度", "Investment intensity", "number",
          unit="wan_yuan_per_mu", min=0, max=100000, aliases=("投资强度", "TZQD")),
    Field("idle_cause", "闲置原因", "Idle cause", "choice", layers=IDLE, internal_on=IDLE,
          choices=choices_of(("user", "企业原因", "The user's fault"),
                           ("government", "政府原因", "Government's fault")),
          aliases=("闲置原因", "XZYY")),
    # Derived from the supply contract (geo/idle_law.py, 令53 第二条), never typed in.
    Field("idle_since", "闲置起始日期", "Idle since", "date", layers=IDLE, internal_on=IDLE,
          computed=True, aliases=("闲置时间", "闲置起始日期", "闲置日期", "XZSJ")),
    Field("disposal", "处置方式", "Disposal method", "choice", layers=IDLE, internal_on=IDLE,
          choices=choices_of(
              ("fee", "征缴闲置费", "Idle-land fee"),
              ("recover", "无偿收回", "Recovery without compensation"),
              ("extend", "延长动工期限", "Start date extended"),
              ("change_use", "调整用途或规划条件", "Use or planning conditions changed"),
              ("temporary", "临时使用", "Temporary use"),
              ("paid_recovery", "协议有偿收回", "Negotiated paid recovery"),
              ("swap", "置换土地", "Swapped for other land"),
          ),
          aliases=("处置方式", "CZFS")),
    Field("disposal_deadline", "处置期限", "Disposal deadline", "date", layers=IDLE,
          internal_on=IDLE, aliases=("处置期限", "CZQX")),
    # Utilities at the parcel's edge, checked against a project's needs when matching.
    Field("power_kva", "可供电力", "Power available", "number", unit="kva", min=0,
          max=1_000_000, aliases=("供电容量", "可供电力", "电力")),
    Field("water_t_per_day", "可供水量", "Water available", "number", unit="t_per_day", min=0,
          max=1_000_000, aliases=("供水能力", "可供水量", "供水")),
    Field("gas", "通天然气", "Natural gas", "choice", choices=YES_NO, aliases=("天然气", "通气")),
    Field("rail", "铁路专用线", "Rail siding", "choice", choices=YES_NO,
          aliases=("铁路专用线", "铁路")),
    Field("price", "出让底价", "Land price", "number", unit="wan_yuan_per_mu", min=0,
          max=100000, aliases=("出让底价", "地价", "基准地价")),
    # 标准地: the indicators fixed for this parcel before supply; they come before the
    # general table when matching (docs/domain.md).
    Field("std_investment_intensity", "标准地投资强度下限", "Standard land: investment "
          "intensity, min", "number", unit="wan_yuan_per_mu", min=0, max=100000,
          aliases=("标准地投资强度", "亩均投资")),
    Field("std_plot_ratio_min", "标准地容积率下限", "Standard land: plot ratio, min", "number",
          min=0, max=20, aliases=("标准地容积率",)),
    Field("std_building_coefficient", "标准地建筑系数下限", "Standard land: building "
          "coefficient, min", "number", unit="percent", min=0, max=100,
          aliases=("标准地建筑系数",)),
    Field("disposal_plan", "处置方案", "Disposal plan", "text", max_length=1000, layers=IDLE,
          internal_on=IDLE, aliases=("处置方案", "处置措施", "CZFA")),
    Field("agreed_start", "约定动工日期", "Agreed start date", "date", internal_on=IDLE,
          aliases=("约定动工日期", "合同约定动工日期", "约定开工日期", "YDDGRQ")),
    Field("actual_start", "实际动工日期", "Actual start date", "date",
          aliases=("实际动工日期", "实际开工日期", "SJDGRQ")),
    # The supply register (供地台账): the contract 令53 reads (geo/idle_law.py).
    Field("supervision_no", "电子监管号", "Electronic supervision number", "text",
          max_length=40, aliases=("电子监管号", "监管号", "DZJGH")),
    Field("supply_method", "供地方式", "Supply method", "choice", choices=SUPPLY_METHODS,
          aliases=("供地方式", "供应方式", "GDFS")),
    Field("contract_price", "合同价款", "Contract price", "number", unit="wan_yuan", min=0,
          max=100_000_000, internal_on=IDLE,
          aliases=("合同价款", "出让价款", "划拨价款", "成交价款", "HTJK")),
    Field("contract_date", "合同签订日期", "Contract date", "date",
          aliases=("合同签订日期", "签订日期", "HTQDRQ")),
    Field("agreed_completion", "约定竣工日期", "Agreed completion date", "date",
          internal_on=IDLE, aliases=("约定竣工日期", "合同约定竣工日期", "YDJGRQ")),
    # Started but stalled (令53 第二条第二款): developed area, investment without the land
    # price, and the day work stopped.
    Field("developed_area_m2", "已开发建设面积", "Developed area", "number", unit="m2", min=0,
          aliases=("已开发面积", "已开发建设面积", "已动工面积", "YKFMJ")),
    Field("invested", "已投资额（不含地价）", "Investment made (land price excluded)", "number",
          unit="wan_yuan", min=0, max=100_000_000, internal_on=IDLE,
          aliases=("已投资额", "已完成投资", "YTZE")),
    Field("agreed_investment", "总投资额（不含地价）", "Total investment (land price excluded)",
          "number", unit="wan_yuan", min=0, max=100_000_000, internal_on=IDLE,
          aliases=("总投资额", "约定总投资", "ZTZE")),
    Field("stopped_since", "中止开发日期", "Work stopped since", "date", internal_on=IDLE,
          aliases=("中止开发日期", "停工日期", "ZZKFRQ")),
)

BUILDING_FIELDS: tuple[Field, ...] = (
    Field("floor_area_m2", "建筑面积", "Floor area", "number", unit="m2", min=0, required=True,
          aliases=("厂房面积", "建筑面积")),
    Field("storeys", "层数", "Storeys", "integer", min=1, max=50, aliases=("层数",)),
    Field("span_m", "跨度", "Span", "number", unit="m", min=0, max=200, aliases=("跨度",)),
    Field("clear_height_m", "净高", "Clear height", "number", unit="m", min=0, max=60,
          aliases=("净高", "檐高")),
    Field("crane_t", "行车吨位", "Crane capacity", "number", unit="t", min=0, max=1000,
          aliases=("行车", "行车吨位")),
    Field("idle", "闲置", "Idle", "choice",
          choices=choices_of(("yes", "是", "Yes"), ("no", "否", "No")), aliases=("是否闲置",)),
)

PROJECT_FIELDS: tuple[Field, ...] = (
    Field("code", "项目编号", "Project code", "text", required=True, max_length=40,
          aliases=("项目编号", "编号", "XMBH")),
    Field("name", "项目名称", "Project name", "text", required=True, max_length=200,
          aliases=("项目名称", "名称", "XMMC")),
    Field("industry", "行业代码", "Industry (GB/T 4754)", "text", max_length=5,
          aliases=("行业代码", "国民经济行业", "HYDM")),
    Field("chain", "重点产业", "Priority industry", "choice", choices=CHAINS,
          aliases=("产业类别", "重点产业", "产业")),
    Field("stage", "项目阶段", "Stage", "choice", required=True, choices=STAGES,
          aliases=("项目阶段", "阶段", "进展阶段")),
    Field("total_investment", "总投资", "Total investment", "number", unit="wan_yuan",
          min=0, max=100_000_000, aliases=("总投资", "计划总投资", "ZTZ")),
    Field("land_demand_mu", "用地需求", "Land demand", "number", unit="mu", min=0, max=100_000,
          aliases=("用地需求", "用地面积", "用地规模")),
    Field("leader", "包联领导", "Responsible leader", "text", max_length=50,
          aliases=("包联领导", "包联县领导", "责任领导")),
    Field("lead_unit", "责任单位", "Lead unit", "text", max_length=100,
          aliases=("责任单位", "牵头单位", "包联单位")),
    Field("town", "所在乡镇", "Town", "text", max_length=20,
          aliases=("乡镇", "所在乡镇", "建设地点")),
    Field("parcel", "地块编号", "Parcel code", "text", max_length=40, aliases=("地块编号",)),
    # Columns every county 台账 sheet carries (migration 0012).
    Field("builder", "建设单位", "Builder", "text", max_length=200,
          aliases=("建设单位", "项目单位", "业主单位", "实施单位", "项目业主")),
    Field("nature", "建设性质", "New or continued", "choice", choices=BUILD_NATURES,
          aliases=("建设性质", "性质")),
    Field("content", "建设内容及规模", "Scope and scale", "text", max_length=2000,
          aliases=("建设内容及规模", "建设内容", "建设规模及内容", "主要建设内容", "建设规模")),
    *EMISSION_FIELDS,
)

# A new project's needs, as typed on the match form or posted to /api/match (geo/needs.py).
# ``layers`` here is unused: needs are no layer's attributes.
NEEDS_FIELDS: tuple[Field, ...] = (
    Field("industry", "行业代码", "Industry (GB/T 4754)", "text", required=True, max_length=5),
    Field("chain", "重点产业", "Priority industry", "choice", choices=CHAINS),
    Field("land_class", "用地类型", "Land-use class wanted", "choice", required=True,
          choices=LAND_CLASSES),
    Field("area_min_mu", "用地面积下限", "Land area, min", "number", unit="mu", min=0,
          max=100_000),
    Field("area_max_mu", "用地面积上限", "Land area, max", "number", unit="mu", min=0,
          max=100_000),
    Field("factory_floor_area_m2", "厂房面积", "Factory floor area wanted", "number", unit="m2",
          min=0, max=1_000_000),
    Field("factory_clear_height_m", "厂房净高", "Factory clear height wanted", "number",
          unit="m", min=0, max=60),
    Field("factory_crane_t", "行车吨位", "Crane capacity wanted", "number", unit="t", min=0,
          max=1000),
    Field("total_investment", "固定资产投资", "Total fixed investment", "number",
          unit="wan_yuan", required=True, min=0, max=100_000_000),
    Field("floor_area_m2", "计划建筑面积", "Planned floor area", "number", unit="m2", min=0,
          max=10_000_000),
    Field("plot_ratio", "计划容积率", "Planned plot ratio", "number", min=0, max=20),
    Field("building_coefficient", "建筑系数", "Building coefficient", "number",
          unit="percent", min=0, max=100),
    Field("office_share", "行政办公及生活服务设施用地比例", "Office and living share", "number",
          unit="percent", min=0, max=100),
    Field("green_ratio", "绿地率", "Green ratio", "number", unit="percent", min=0, max=100),
    *EMISSION_FIELDS,
    Field("power_kva", "用电负荷", "Power needed", "number", unit="kva", min=0, max=1_000_000),
    Field("water_t_per_day", "日用水量", "Water needed", "number", unit="t_per_day", min=0,
          max=1_000_000),
    Field("gas", "需要天然气", "Needs natural gas", "choice", choices=YES_NO),
    Field("rail", "需要铁路专用线", "Needs a rail siding", "choice", choices=YES_NO),
    Field("towns", "意向乡镇", "Preferred towns", "text", max_length=200),
    Field("parks", "意向园区", "Preferred parks", "text", max_length=200),
    Field("lon", "中心点经度", "Point, longitude", "number", min=-180, max=180),
    Field("lat", "中心点纬度", "Point, latitude", "number", min=-90, max=90),
    Field("max_distance_km", "最大距离", "Maximum distance", "number", unit="km", min=0,
          max=1000),
    Field("layers", "地块来源", "Parcels from", "choice", choices=LAYERS[:2]),
    # The control indicators in force on this date judge the match (empty: today).
    Field("on", "指标执行日期", "Rules in force on", "date"),
)

# The offer log: a parcel offered to a project, and what the investor said.
OFFER_FIELDS: tuple[Field, ...] = (
    Field("project", "项目编号", "Project code", "text", required=True, max_length=40),
    Field("parcel", "地块编号", "Parcel code", "text", required=True, max_length=40),
    Field("offered_on", "推介日期", "Offered on", "date", required=True),
    Field("status", "推介状态", "Offer status", "choice", required=True,
          choices=OFFER_STATUSES),
    Field("feedback", "投资方反馈", "Investor feedback", "text", max_length=2000),
    Field("score", "匹配得分", "Match score", "number", min=0, max=100, computed=True),
)

# The ledger (台账): a project's planned nodes, its investment plan per year, its dated
# progress entries and its stage transitions. Node names pair with the stage that meets them
# (geo/categories.py).
PLAN_FIELDS: tuple[Field, ...] = (
    Field("plan_sign", "计划签约日期", "Planned signing", "date",
          aliases=("计划签约日期", "计划签约时间", "签约时间")),
    Field("plan_land", "计划供地日期", "Planned land delivery", "date",
          aliases=("计划供地日期", "计划供地时间", "计划落地时间", "供地时间")),
    Field("plan_start", "计划开工日期", "Planned start", "date",
          aliases=("计划开工日期", "计划开工时间", "开工时间")),
    Field("plan_complete", "计划竣工日期", "Planned completion", "date",
          aliases=("计划竣工日期", "计划竣工时间", "竣工时间")),
    Field("plan_production", "计划投产日期", "Planned production", "date",
          aliases=("计划投产日期", "计划投产时间", "投产时间")),
)

ANNUAL_PLAN_FIELDS: tuple[Field, ...] = (
    Field("year", "年度", "Year", "integer", required=True, min=2000, max=2100,
          aliases=("年度", "年份")),
    Field("planned_investment", "年度计划投资", "Planned investment for the year", "number",
          unit="wan_yuan", required=True, min=0, max=100_000_000,
          aliases=("年度计划投资", "本年计划投资", "年度计划")),
)

PROGRESS_FIELDS: tuple[Field, ...] = (
    Field("date", "填报日期", "Report date", "date", required=True,
          aliases=("填报日期", "填报时间", "进展日期", "日期")),
    Field("completed_investment", "累计完成投资", "Investment completed to date", "number",
          unit="wan_yuan", min=0, max=100_000_000,
          aliases=("累计完成投资", "完成投资", "已完成投资")),
    Field("percent_done", "完成比例", "Percent done", "number", unit="percent", min=0, max=100,
          aliases=("完成比例", "完成百分比", "进度")),
    # The county writes 形象进度 in words (主体完工); a figure in that column is percent_done
    # (geo/ledger_xlsx.py). Migration 0012.
    Field("status_text", "形象进度", "Works status", "text", max_length=500,
          aliases=("形象进度", "工程形象进度", "项目进展情况", "进展情况", "目前进展")),
    Field("problems", "存在问题", "Problems", "text", max_length=2000,
          aliases=("存在问题", "问题", "困难问题")),
    Field("next_steps", "下步计划", "Next steps", "text", max_length=2000,
          aliases=("下步计划", "下一步计划", "下步打算", "工作措施")),
    Field("reporter", "填报人", "Reporter", "text", required=True, max_length=50,
          aliases=("填报人", "报送人")),
)

TRANSITION_KINDS = choices_of(("forward", "推进", "Moved on"), ("back", "退回", "Put back"))

TRANSITION_FIELDS: tuple[Field, ...] = (
    Field("date", "日期", "Date", "date", required=True, aliases=("日期",)),
    Field("from_stage", "原阶段", "From stage", "choice", choices=STAGES, computed=True),
    Field("to_stage", "新阶段", "To stage", "choice", required=True, choices=STAGES),
    Field("kind", "类型", "Kind", "choice", choices=TRANSITION_KINDS, computed=True),
    Field("by", "操作人", "Made by", "text", required=True, max_length=50,
          aliases=("操作人", "经办人")),
    Field("note", "说明", "Note", "text", max_length=1000, aliases=("说明", "备注", "原因")),
)

# The categories the county reports on; never typed in, derived by geo/categories.py.
CATEGORIES = choices_of(
    ("negotiating", "在谈", "Negotiating"),
    ("signed", "已签约", "Signed"),
    ("not_started", "未开工", "Not started"),
    ("building", "在建", "Under construction"),
    ("slow", "进展缓慢", "Behind plan"),
    ("producing", "已投产", "In production"),
)

# The derived category as a column of ledger tables and sheets (read back, never imported).
CATEGORY_FIELD = Field("category", "项目类别", "Category", "choice", choices=CATEGORIES,
                       computed=True, aliases=("项目类别", "类别", "分类"))

# Columns the exports add after a parcel's own fields: derived from them, never imported.
DERIVED_FIELDS: tuple[Field, ...] = (
    # Labelled "椭球面积", so a bureau's own "面积（亩）" column is never taken for them.
    Field("area_mu", "椭球面积（亩）", "Ellipsoidal area (mu)", "number", unit="mu",
          computed=True, aliases=("MJ_MU",)),
    Field("area_ha", "椭球面积（公顷）", "Ellipsoidal area (ha)", "number", unit="ha",
          computed=True, aliases=("MJ_HA",)),
    Field("extra", "其他属性", "Other attributes", "json", aliases=("EXTRA",)),
    Field("version", "版本", "Version", "integer", computed=True, aliases=("BBH",)),
)

# Words files use for a choice value, by field name: {word: stored value}. An import applies
# them and says so (geo/importer/values.py); a word that is here is never a guess about
# another county's meaning, only another way of writing the same value (docs/domain.md).
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "status": {"可供": "available", "可供应": "available", "空闲": "available",
               "待供": "available", "低效": "underused", "低效用地": "underused",
               "闲置": "idle", "已出让": "supplied", "已划拨": "supplied",
               "已收回土地": "recovered", "收回": "recovered"},
    "ownership": {"国有土地": "state", "国有建设用地": "state", "国有土地使用权": "state",
                  "集体土地": "collective", "集体所有": "collective"},
    "gas": {"有": "yes", "通": "yes", "无": "no", "未通": "no", "Y": "yes", "N": "no"},
    "rail": {"有": "yes", "无": "no", "Y": "yes", "N": "no"},
}


def value_aliases(name: str) -> dict[str, str]:
    """Return the dictionary's other words for the values of field ``name``.

    >>> value_aliases("status")["可供"]
    'available'
    """
    return VALUE_ALIASES.get(name, {})


_TABLES = {
    "parcel": PARCEL_FIELDS, "building": BUILDING_FIELDS, "project": PROJECT_FIELDS,
    "plan": PLAN_FIELDS, "annual_plan": ANNUAL_PLAN_FIELDS, "progress": PROGRESS_FIELDS,
    "transition": TRANSITION_FIELDS, "needs": NEEDS_FIELDS, "offer": OFFER_FIELDS,
}
_BY_NAME = {entity: {f.name: f for f in fields} for entity, fields in _TABLES.items()}


def fields_for(entity: str, layer: str | None = None) -> tuple[Field, ...]:
    """Return the fields of ``entity`` (parcel, building, project, plan, annual_plan, progress,
    transition, needs, offer), for one layer.

    >>> [f.name for f in fields_for("parcel", "stock")][:3]
    ['code', 'layer', 'name']
    """
    fields = _TABLES[entity]
    if layer is None:
        return fields
    return tuple(f for f in fields if layer in f.layers)


def get_field(entity: str, name: str) -> Field:
    """Return one field by name; KeyError when the dictionary has none."""
    return _BY_NAME[entity][name]


__all__ = [
    "ANNUAL_PLAN_FIELDS", "AREA_UNITS", "BUILDING_FIELDS", "BUILD_NATURES", "CATEGORIES",
    "CATEGORY_FIELD", "CHAINS", "CODE_SYSTEMS", "Choice", "EMISSION_FIELDS", "SUPPLY_METHODS",
    "Field", "LAND_CLASSES", "LAYERS", "NEEDS_FIELDS", "OFFER_FIELDS", "OFFER_STATUSES",
    "PARCEL_FIELDS", "PARCEL_STATUSES", "PLAN_FIELDS", "PROGRESS_FIELDS", "PROJECT_FIELDS",
    "STAGES", "TRANSITION_FIELDS", "TRANSITION_KINDS", "UNITS", "VALUE_ALIASES", "YES_NO",
    "alias_index", "clean_record", "fields_for", "get_field", "json_value", "value_aliases",
]
