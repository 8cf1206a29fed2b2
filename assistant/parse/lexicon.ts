/**
 * The words of the no-LLM parser, for English and Spanish. Patterns run on
 * normalized text (lower case, accents removed: "cuánto" is "cuanto", "año" is
 * "ano"), where linked names are already replaced by markers. Nothing here
 * knows a group's data: names, tokens and categories come from the database.
 */

export type Language = "en" | "es";

const w = (source: string) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])`, "u");

/** Month names and abbreviations; index 0 = January. Abbreviations are trusted only in ranges or next to a year. */
export const monthNames: { full: string[]; short: string[] }[] = [
  { full: ["january", "enero"], short: ["jan", "ene"] },
  { full: ["february", "febrero"], short: ["feb"] },
  { full: ["march", "marzo"], short: ["mar"] },
  { full: ["april", "abril"], short: ["apr", "abr"] },
  { full: ["may", "mayo"], short: [] },
  { full: ["june", "junio"], short: ["jun"] },
  { full: ["july", "julio"], short: ["jul"] },
  { full: ["august", "agosto"], short: ["aug", "ago"] },
  { full: ["september", "septiembre", "setiembre"], short: ["sep", "sept", "set"] },
  { full: ["october", "octubre"], short: ["oct"] },
  { full: ["november", "noviembre"], short: ["nov"] },
  { full: ["december", "diciembre"], short: ["dec", "dic"] },
];

export const monthLabels: Record<Language, string[]> = {
  en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
  es: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
};

export const numberWords: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100, thousand: 1000, million: 1_000_000,
  cero: 0, uno: 1, un: 1, una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10, once: 11, doce: 12,
  quince: 15, veinte: 20, treinta: 30, cuarenta: 40, cincuenta: 50, cien: 100, ciento: 100, quinientos: 500, mil: 1000, millon: 1_000_000, millones: 1_000_000,
};

/** Words for measures, subjects and the rest; each matched as whole words. */
export const lexicon = {
  count: w("how many|how often|number of|count|cuantos|cuantas|numero de|cantidad de|cuantas veces"),
  sum: w("how much|total|totals|sum|cuanto|cuanta|suma|en total"),
  average: w("average|avg|mean|typical|on average|promedio|media|medio|medios|medias|en promedio|de media"),
  max: w("largest|biggest|highest|most expensive|maximum|max|mayor|mas grande|mas alto|mas caro|maximo|mas grandes"),
  min: w("smallest|lowest|cheapest|minimum|min|menor|mas pequeno|mas bajo|mas barato|minimo|mas pequenos"),
  first: w("first|earliest|primer|primero|primera|mas antiguo"),
  last: w("last|latest|most recent|newest|ultimo|ultima|mas reciente"),
  list: w("list|show|which|what were|what are|what payments|what deposits|give me|lista|listar|muestra|muestrame|cuales|que pagos|que depositos|enumera"),
  most: w("the most|most|mas"),
  top: /(?<![\p{L}\p{N}])(?:top|los|las)\s+(\d+|[a-z]+)(?:\s+(?:principales|mayores))?(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])top(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])(\d+|[a-z]+)\s+(?:largest|biggest|mayores|principales)(?![\p{L}\p{N}])/u,

  balances: w("balance|balances|hold|holds|holding|holdings|have left|funds left|money left|in the safe|in the treasury|how much (?:money |funds )?do we have|saldo|saldos|tenemos|queda|quedan|fondos"),
  owners: w("owners|owner|signers|signatories|threshold|who can sign|who can approve|multisig members|propietarios|propietario|duenos|dueno|firmantes|umbral"),
  approvals: w("who approved|who signed|approved by|signed by|approvals|approval status|approved|has signed|have signed|quien aprobo|quien firmo|quienes aprobaron|aprobaciones|aprobado por|aprobada por|aprobadas por|aprobados por|aprobado|aprobada|firmado por|firmada por"),
  messages: w("discuss|discussed|discussion|said|say|says|comment|comments|commented|object|objected|objection|objections|objecting|concern|concerns|pushback|push back|thread|talk|talked|questions|asked|complain|complained|disagree|disagreed|dijo|dijeron|discutio|discutieron|discusion|comentarios|comentario|comento|objecion|objeciones|objeto|preguntas|pregunto|hilo|hablo|hablaron|se opuso|quejas|preocupaciones"),
  proposals: w("proposal|proposals|propuesta|propuestas|queue|en cola"),
  depositsStrong: w("received|receive|receives|deposit|deposits|deposited|income|incoming|inflow|inflows|came in|paid us|pay us|pays us|sent us|send us|gave us|given us|raised|revenue|revenues|earned|donation|donations|recibimos|recibido|recibida|recibio|recibieron|ingresos|ingreso|depositos|deposito|entradas|nos pago|nos pagaron|nos envio|nos enviaron|cobramos|cobrado"),
  payments: w("pay|paid|pays|payment|payments|spend|spent|spending|cost|costs|expense|expenses|outflow|outflows|payout|payouts|sent|pagamos|pagado|pagada|pagar|pago|pagos|gastamos|gasto|gastos|gastado|costo|coste|costos|egresos|salidas|pagaron"),

  pending: w("pending|waiting|awaiting|open proposals|in the queue|queued|not yet executed|not executed|needs approval|need approval|needs signatures|unsigned|pendiente|pendientes|en espera|sin ejecutar|por aprobar|por firmar"),
  executed: w("executed|completed|went through|ejecutada|ejecutadas|ejecutado|ejecutados"),
  rejected: w("rejected|turned down|declined|refused|rechazada|rechazadas|rechazado|rechazados"),
  cancelled: w("cancelled|canceled|withdrawn|cancelada|canceladas|cancelado|cancelados|retirada|retiradas"),

  groupMonth: w("by month|per month|each month|every month|month by month|monthly breakdown|a month|por mes|cada mes|mes a mes|mensual|mensualmente|al mes"),
  groupQuarter: w("by quarter|per quarter|each quarter|quarterly|por trimestre|cada trimestre|trimestral"),
  groupPayee: w("by payee|per payee|by vendor|per vendor|by vendors|by recipient|per recipient|by counterparty|by supplier|by sender|per sender|by source|payees|vendors|recipients|suppliers|senders|who did we pay|who we paid|por proveedor|por beneficiario|por destinatario|por remitente|proveedores|beneficiarios|destinatarios|a quien pagamos|a quienes pagamos"),
  groupCategory: w("by category|per category|categories|por categoria|categorias"),
  groupToken: w("by token|per token|by currency|por token|por moneda"),
  groupProposer: w("by proposer|per proposer|by person|who proposed|por proponente|quien propuso"),
  groupApprover: w("by approver|per approver|who approved the most|por aprobador"),
  groupAuthor: w("by author|per author|who said the most|who talked the most|por autor"),
  groupStatus: w("by status|per status|por estado"),
  perMonth: w("monthly|per month|a month|each month|every month|mensual|mensuales|al mes|por mes|cada mes"),

  compare: w("compare|compared|comparing|vs|versus|against|relative to|than|compara|comparar|comparado|comparada|frente a|contra|respecto a|que en"),
  netFlow: w("net flow|net|in minus out|inflow and outflow|inflows and outflows|flujo neto|neto|entradas menos salidas"),
  runway: w("runway|how long will|how long would|how long can|last us|how many months (?:do we have|can we|left)|burn|cuanto nos dura|cuanto durara|cuantos meses (?:nos quedan|podemos|tenemos)|pista"),

  why: w("why|reason|reasons|purpose|what for|explain|por que|para que|motivo|razon|explica"),
  safety: w("legit|legitimate|trustworthy|trust|scam|phishing|poisoning|poisoned|suspicious|risky|risk|warnings|warning|red flags|fraud|seguro|segura|confiable|sospechoso|sospechosa|estafa|advertencias|riesgo|fraude"),
  safeAdjective: /(?<![\p{L}\p{N}])(?:is|are|looks?|seems?)(?![\p{L}\p{N}])[^?]*?(?<!the |our |in the |this |a |to the |from the )(?<![\p{L}\p{N}])safe(?![\p{L}\p{N}])/u,
  tellMeAbout: w("tell me about|what about|info on|information on|details of|details on|hablame de|cuentame de|informacion sobre|detalles de"),

  beforeExecution: w("before (?:we paid|it was paid|it was executed|execution|paying|we executed|it went through|the payment)|antes de (?:pagar|que se pagara|que pagaramos|ejecutar|la ejecucion|que se ejecutara|pagarle|el pago)"),
  afterExecution: w("after (?:we paid|it was paid|it was executed|execution|paying|we executed|it went through|the payment)|despues de (?:pagar|que se pagara|que pagaramos|ejecutar|la ejecucion|que se ejecutara|pagarle|el pago)"),
  objection: w("object|objected|objection|objections|objecting|against|concern|concerns|concerned|pushback|push back|disagree|disagreed|complain|complained|complaints|objecion|objeciones|objeto|en contra|se opuso|se opusieron|quejas|queja|preocupacion|preocupaciones"),
  question: w("open questions|questions|asked|preguntas|pregunto|preguntaron|dudas"),

  action: /^(?:(?:please|por favor|can you|could you|would you|go ahead and|puedes|podrias|quiero que)\s+)?(?:pay|send|transfer|approve|sign|execute|propose|reject|cancel|withdraw|move|paga|pagale|envia|enviale|transfiere|aprueba|firma|ejecuta|propon|rechaza|cancela|retira|mueve|pagar|enviar|transferir|aprobar|firmar|ejecutar|proponer|rechazar|cancelar)(?![\p{L}\p{N}])/u,
  outOfScope: w("weather|price|prices|stock|stocks|market|forecast|predict|prediction|exchange rate|tomorrow|joke|recipe|news|tiempo|clima|precio|precios|cotizacion|mercado|pronostico|prediccion|manana|chiste|receta|noticias"),
  injection: w(
    "ignore (?:all |any |your |the |these |those )?(?:previous |prior |above |earlier )?(?:instructions|rules|prompt)|disregard|forget (?:your|all|previous|the) |(?:you|assistant|bot) (?:must|should|will|has to|have to) (?:say|answer|reply|state|report|tell|respond)|(?:say|answer|reply|state|report|respond) (?:that|with|exactly)|tell (?:everyone|everybody|them|the channel|me) that|pretend|from now on|system prompt|new instructions|ignora (?:las |tus |todas las )?(?:instrucciones|reglas)|olvida (?:tus|las|todo)|di que|responde que|contesta que|debes decir|tienes que decir|a partir de ahora",
  ),

  amountOp: /(?<![\p{L}\p{N}])(over|above|more than|greater than|exceeding|bigger than|larger than|at least|no less than|under|below|less than|smaller than|at most|no more than|up to|exactly|mas de|mayores de|mayores a|mayores que|mayor de|mayor a|mayor que|superiores a|superior a|por encima de|al menos|como minimo|menos de|menores de|menores a|menores que|menor de|menor a|menor que|inferiores a|inferior a|por debajo de|como maximo|hasta|exactamente|>=|<=|>|<)\s*\$?\s*/u,
  between: /(?<![\p{L}\p{N}])(?:between|entre)\s+(\S+)\s+(?:and|y)\s+(\S+)/u,

  /** Words that say "who" for a person role; the name follows or precedes as a marker. */
  proposedBy: [/(?:proposed|submitted|created|raised) by (@\d+@)/, /(@\d+@) (?:proposed|submitted)/, /(@\d+@) proposals/, /proposals (?:from|by|of) (@\d+@)/, /propuest[oa]s? por (@\d+@)/, /propuestas de (@\d+@)/, /propuso (@\d+@)/, /(@\d+@) propuso/],
  approvedBy: [/(?:approved|signed) by (@\d+@)/, /(?:did|has|have) (@\d+@) (?:approve|approved|sign|signed)/, /(@\d+@) (?:approved|signed)/, /what did (@\d+@) (?:approve|sign)/, /(?:aprobad[oa]s?|firmad[oa]s?) por (@\d+@)/, /(?:aprobo|firmo) (@\d+@)/, /(@\d+@) (?:aprobo|firmo)/, /que (?:aprobo|firmo) (@\d+@)/],
  executedBy: [/executed by (@\d+@)/, /(@\d+@) executed/, /ejecutad[oa]s? por (@\d+@)/, /(?:ejecuto) (@\d+@)/],
  authoredBy: [/what did (@\d+@) (?:say|write|comment|ask)/, /(@\d+@) (?:said|wrote|commented|asked|objected|complained)/, /did (@\d+@) (?:say|object|comment|complain|ask)/, /(?:messages|comments) (?:from|by) (@\d+@)/, /que (?:dijo|escribio|comento|pregunto) (@\d+@)/, /(@\d+@) (?:dijo|escribio|comento|pregunto|se opuso)/, /(?:mensajes|comentarios) de (@\d+@)/],
  ownerEvent: /(after|since|before|desde que|despues de que|antes de que)\s+(@\d+@)\s+(?:became|become|becomes|was made|was added as|joined as|joined|was added|se hizo|se convirtio en|es|fue nombrad[oa]|entro como|paso a ser)\s*(?:an? |un |una )?(owner|signer|propietari[oa]|duen[oa]|firmante)?/,
  removedEvent: /(after|since|before|desde que|despues de que|antes de que)\s+(@\d+@)\s+(?:was removed|left|stopped being|dejo de ser|salio)/,
  thresholdEvent: /(after|since|before|desde que|despues de que|antes de que)\s+(?:the )?(?:threshold|umbral)\s+(?:changed|cambio)/,
  paidEvent: /(after|since|before|desde que|despues de que|antes de que)\s+(?:we paid|paying|pagamos|pagar|pagarle a|pagamos a)\s+(@\d+@)/,
};

/** Everyday words of both languages and the treasury's own vocabulary: never a name. */
export const commonWords = new Set(
  `a an the and or of to in on at for by with from as is are was were be been it its this that these those what which who whom whose why how when where
   did do does done we us our you your i me my they them their he she his her has have had much many any some all about into than then there here
   can could would should will shall may might please tell show give list find much more most less least over under above below between each every
   per vs versus against last first next this previous past so far since until before after during year years month months quarter quarters week weeks
   day days today now ago half ytd total sum average mean count number how paid pay payment payments spend spent spending cost costs received receive
   deposit deposits money funds fund treasury safe balance balances hold owners owner threshold proposal proposals pending approved approve approval
   approvals signed sign rejected cancelled canceled executed said say discussed discussion thread object objected anyone anybody someone everyone
   largest biggest smallest top new old ever yet still also just only them net flow runway compare compared token tokens category categories payee payees
   vendor vendors sender senders much did get got make made go went up down el la los las de del en y o que qué quien cuanto cuantos cuantas cuando donde
   por para con sin sobre entre desde hasta mes meses ano anos trimestre semestre pasado pasada ultimo ultima este esta estos estas ese esa hay nos se
   lo le les un una unos unas mas menos muy todo todos todas pago pagos pagamos pagado gasto gastos gastamos recibimos propuesta propuestas pendientes
   pendiente aprobado aprobada firmado saldo saldos tenemos fondos tesoreria cual cuales como porque pues si no ya al es son fue fueron era han ha
   hemos habia mi mis tu tus su sus yo`.split(/\s+/),
);

/** Common words that map to a category when the database has that category. */
export const categorySynonyms: Record<string, string[]> = {
  hosting: ["infrastructure", "hosting"],
  servers: ["infrastructure"],
  server: ["infrastructure"],
  cloud: ["infrastructure"],
  infra: ["infrastructure"],
  infraestructura: ["infrastructure"],
  alojamiento: ["infrastructure", "hosting"],
  servidores: ["infrastructure"],
  audit: ["security"],
  audits: ["security"],
  auditoria: ["security"],
  auditorias: ["security"],
  seguridad: ["security"],
  lawyers: ["legal"],
  lawyer: ["legal"],
  abogados: ["legal"],
  flights: ["travel"],
  hotel: ["travel"],
  hotels: ["travel"],
  trips: ["travel"],
  trip: ["travel"],
  viajes: ["travel"],
  viaje: ["travel"],
  vuelos: ["travel"],
  contractor: ["contractors"],
  freelancers: ["contractors"],
  freelancer: ["contractors"],
  contratistas: ["contractors"],
  contratista: ["contractors"],
  copywriting: ["content"],
  writing: ["content"],
  contenido: ["content"],
  redaccion: ["content"],
  branding: ["design"],
  diseno: ["design"],
  prizes: ["grants"],
  bounties: ["grants"],
  hackathon: ["grants"],
  premios: ["grants"],
  subvenciones: ["grants"],
  becas: ["grants"],
};

/** Generic words that make a poor short name for a payee even when one label holds them. */
export const weakNameWords = new Set(
  `co inc llc ltd gmbh sa sl labs lab studio studios group fund foundation collective company corp the open new global united first bright north
   south east west international services service solutions partners agency team`.split(/\s+/),
);

export const spanishMarkers = w(
  "que|cuanto|cuanta|cuantos|cuantas|cual|cuales|quien|quienes|pagamos|gastamos|recibimos|propuestas|propuesta|pendientes|mes|ano|semestre|trimestre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|el|la|los|las|del|por|para|con|hay|nos|entre|desde|hasta|pasado|ultimo|primer|saldo|tenemos|propietarios|umbral|aprobo|dijo|discutio|promedio|gastos|pagos|ingresos|y|de|en|se|es",
);
export const englishMarkers = w(
  "the|how|much|many|what|did|we|pay|paid|month|year|quarter|of|to|from|by|in|who|which|our|is|are|was|were|spend|spent|payments|proposals|pending|balance|owners|average|and|with|for|have|has|do|does",
);
