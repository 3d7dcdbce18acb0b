"""Mails that state no reason, written for training (fitted by `train_reasons.py` unless --no-content-free): each is
fitted once per reason with weight 1/7, a uniform target, so that greetings, order numbers and
"please call me" learn to say nothing. None of them is one of reason_cv.CONTENT_FREE, the mails
the nested CV checks with."""

CONTENT_FREE_TRAINING = (
    "Order KRZ-26-0311\nHi there, could someone give me a ring when you have a moment? Thanks, Pieter",
    "Re: your message\nGood morning, see my earlier email. Kind regards",
    "Question\nHello, I have a question about my order. Can you phone me on 082 555 0199?",
    "Fwd: order KJ-4410932\nSee below.",
    "(no subject)\nHi, it's me again. Please get back to me.",
    "Following up\nDear team, just following up on my previous message. Best, Ana",
    "Commande CMD-2026-00877\nBonjour, pouvez-vous me contacter par téléphone ? Merci d'avance.",
    "Re: votre réponse\nBonjour, voir mon message précédent. Bonne journée",
    "Auftrag\nGuten Tag, bitte rufen Sie mich zurück. Mit freundlichen Grüßen, K. Bauer",
    "Ihre Nachricht\nHallo, siehe unten. Gruß",
    "Pedido KJ-7710245\nBuenas tardes, ¿podrían contactarme cuando puedan? Saludos",
    "Consulta\nHola, les escribo por mi pedido. Quedo atento.",
    "Bestelling KJ-2290417\nHallo, wilt u mij even bellen? Alvast bedankt.",
    "Vraag\nGoedemiddag, zie mijn vorige mail. Groet, Sanne",
    "Encomenda\nBoa tarde, podem ligar-me quando possível? Obrigado",
    "Pedido KJ-5501827\nOlá, vejam o e-mail abaixo, por favor.",
    "Ordine KJ-3318840\nBuongiorno, potete richiamarmi? Grazie mille",
    "Richiesta\nSalve, vi scrivo per il mio ordine. Cordiali saluti",
    "Bestelling KRZ-26-0415\nGoeie môre, kan julle my asseblief skakel? Dankie",
    "Navraag\nHallo, sien my vorige e-pos. Groete, Marietjie",
    "I-oda KRZ-26-0502\nSawubona, ngicela ningishayele ucingo. Ngiyabonga",
    "주문번호 20261112-0000418\n안녕하세요. 확인 후 전화 부탁드립니다.",
    "문의\n아래 메일 참고해 주세요. 감사합니다.",
    "注文について\nお世話になっております。お手数ですがお電話いただけますでしょうか。",
    "ご連絡\n以下のメールをご確認ください。よろしくお願いいたします。",
    "订单 KJ-6620931\n您好，方便的时候请给我回个电话。谢谢",
    "咨询\n你好，请看下面的邮件。",
    "Don hang KJ-8830152\nXin chao, vui long goi lai cho toi. Cam on",
    "Hỏi về đơn hàng\nChào shop, xem email bên dưới giúp mình nhé.",
    "Order 20261103-0000291\nHello, please check my previous email and contact me.",
    # Staff passing on what a customer asked elsewhere, without saying why (session 7).
    "Fwd: client message\nHi team, a client phoned me about her order and asked for her money back. "
    "Passing it on so it is logged. Thanks, Lindiwe",
    "Refund request from a customer\nHi accounts, a customer called the shop asking for a refund on "
    "KJ-3392017. Please have a look. Regards",
    "WG: Kundennachricht\nHallo zusammen, zur Kenntnis weitergeleitet, der Kunde möchte eine Erstattung. Gruß, Tim",
    "TR : message d'un client\nBonjour, je vous transfère la demande de remboursement reçue par téléphone.",
    "Doorgestuurd: bericht van klant\nHallo, ter info doorgestuurd: klant vraagt om terugbetaling. Groet, Joost",
    "고객 문의 전달\n고객님이 매장으로 전화해서 환불을 원하신다고 하셨습니다. 확인 부탁드립니다.",
)
