"""Short, direct mails that say their reason in plain words, written for training (fitted by
`train_reasons.py` unless --no-plain), each with its reason. Much of a real refunds mailbox reads
like this, but the labelled corpus was written to be hard (indirect, long, quoted): a model fitted
on it alone learnt that a short mail that says "refund" and an order number is a status question
(`other`) and read "I changed my mind about my order, please refund me" as unclear. None of them is
one of the plain mails tests/intake/test_understand_reason_model.py checks with, and none is read
by the nested CV's scoring: they are fitted in every fold, as the content-free mails are."""

PLAIN_TRAINING: tuple[tuple[str, str], ...] = (
    # change of mind
    ("Refund\nHi, I've changed my mind and don't want the order any more. Could you refund it? Thanks, Sam",
     "change_of_mind"),
    ("Order KRZ-26-0412\nHello, we decided not to go ahead after all. Please cancel and give us our money back.",
     "change_of_mind"),
    ("Cancel please\nI bought this on impulse and regret it. Can I have a refund? Order KJ-3341207", "change_of_mind"),
    ("Remboursement commande\nBonjour, finalement je n'en veux plus, j'ai changé d'avis. Merci de me rembourser.",
     "change_of_mind"),
    ("Stornierung\nHallo, ich habe es mir anders überlegt und brauche die Bestellung nicht mehr. Bitte erstatten "
     "Sie mir den Betrag.", "change_of_mind"),
    ("Reembolso\nHola, he cambiado de opinión y ya no lo quiero. ¿Me pueden devolver el dinero?", "change_of_mind"),
    ("Terugbetaling\nHoi, ik heb me bedacht en wil de bestelling toch niet. Graag mijn geld terug.",
     "change_of_mind"),
    ("환불 요청\n안녕하세요, 마음이 바뀌어서 주문을 취소하고 싶어요. 환불 부탁드립니다.", "change_of_mind"),
    ("Terugbetaling asseblief\nHallo, ek het van plan verander en wil nie meer die bestelling hê nie. "
     "Betaal asseblief terug.", "change_of_mind"),
    # dissatisfied
    ("Unhappy\nHello, the website you built for us is poorly done and we're really disappointed. We'd like a refund.",
     "dissatisfied"),
    ("Order KRZ-26-0388 refund\nThe quality of the photos is bad, blurry and badly lit. I'm not satisfied. "
     "Please refund.", "dissatisfied"),
    ("Pas satisfait\nBonjour, le travail livré est de mauvaise qualité, je ne suis pas content du tout. "
     "Je demande un remboursement.", "dissatisfied"),
    ("Unzufrieden\nDas Ergebnis ist enttäuschend und unprofessionell. Ich möchte mein Geld zurück.",
     "dissatisfied"),
    ("Insatisfecho\nEl diseño es muy malo, no estoy contento con el trabajo. Quiero un reembolso.", "dissatisfied"),
    ("품질 불만\n받은 제품 품질이 너무 안 좋아서 실망했어요. 환불해 주세요.", "dissatisfied"),
    ("Niet tevreden\nDe kwaliteit van het werk valt erg tegen, ik ben ontevreden. Ik wil mijn geld terug.",
     "dissatisfied"),
    # non-delivery
    ("Where is my order?\nI paid three weeks ago and nothing has arrived. Please refund me. Order KJ-2209184",
     "non_delivery"),
    ("Never got it\nHi, the package never came. Tracking hasn't moved in ten days. I want my money back.",
     "non_delivery"),
    ("Pas reçu\nBonjour, je n'ai jamais reçu ma commande. Merci de me rembourser.", "non_delivery"),
    ("Nicht angekommen\nMeine Bestellung ist nie bei mir angekommen. Bitte erstatten Sie den Kaufpreis.",
     "non_delivery"),
    ("No ha llegado\nHola, el paquete nunca llegó. Quiero que me devuelvan el dinero.", "non_delivery"),
    ("未着\n注文した商品がまだ届いていません。返金をお願いします。", "non_delivery"),
    ("Nog niet ontvangen\nIk heb mijn pakket nooit gekregen. Graag terugbetaling.", "non_delivery"),
    # not as described
    ("Not what I ordered\nThe item I got is a different colour and size from the listing. Please refund.",
     "not_as_described"),
    ("Wrong product\nHi, you sent me something completely different from what's on the website. Refund please.",
     "not_as_described"),
    ("Non conforme\nBonjour, l'article reçu ne correspond pas à la description. Je souhaite être remboursé.",
     "not_as_described"),
    ("Falscher Artikel\nDer gelieferte Artikel entspricht nicht der Beschreibung im Shop. Bitte Geld zurück.",
     "not_as_described"),
    ("No es lo que pedí\nEl producto que recibí no coincide con las fotos de la web. Pido el reembolso.",
     "not_as_described"),
    ("상품 설명과 다름\n받은 상품이 설명과 완전히 달라요. 환불 원합니다.", "not_as_described"),
    ("Não corresponde\nO produto que recebi não é igual ao anunciado. Quero o reembolso.", "not_as_described"),
    # cancel a recurring plan
    ("Cancel my plan\nPlease cancel my monthly plan from today and don't bill me again.", "cancel_recurring"),
    ("Unsubscribe\nHi, I want to end my subscription. No more renewals please. Thanks", "cancel_recurring"),
    ("Résiliation\nBonjour, je souhaite résilier mon abonnement mensuel dès maintenant.", "cancel_recurring"),
    ("Kündigung\nHiermit kündige ich mein Abo zum nächstmöglichen Termin.", "cancel_recurring"),
    ("Cancelar suscripción\nHola, quiero cancelar mi suscripción mensual y que no me cobren más.",
     "cancel_recurring"),
    ("구독 해지\n정기 결제 해지해 주세요. 다음 달부터 결제되지 않게 해주세요.", "cancel_recurring"),
    ("Disdetta\nBuongiorno, vorrei disdire l'abbonamento mensile. Grazie", "cancel_recurring"),
    # dispute
    ("Chargeback filed\nJust so you know, I've disputed the payment with my credit card company.", "dispute"),
    ("Bank dispute\nHello, my bank has opened a dispute on this charge on my behalf.", "dispute"),
    ("Contestation\nBonjour, j'ai fait opposition au paiement auprès de ma banque.", "dispute"),
    ("Rückbuchung\nIch habe die Zahlung bei meiner Bank zurückbuchen lassen.", "dispute"),
    ("Disputa\nHe abierto una disputa con mi banco por este cargo.", "dispute"),
    ("Betwisting\nIk heb de betaling bij mijn bank betwist.", "dispute"),
    ("카드사 이의제기\n카드사에 결제 이의제기를 신청했습니다.", "dispute"),
    # other
    ("Refund status\nHi, you approved my refund last week. When will the money show on my account?", "other"),
    ("Charged twice\nHello, my card was debited two times for one order. Please return the extra charge.",
     "other"),
    ("Wrong amount\nYou refunded 200 instead of 450. Please pay the rest.", "other"),
    ("Remboursement pas reçu\nBonjour, vous m'avez annoncé un remboursement il y a deux semaines, toujours rien "
     "sur mon compte.", "other"),
    ("Doppelt abgebucht\nSie haben den Betrag zweimal abgebucht. Bitte die doppelte Zahlung zurück.", "other"),
    ("Factura\nHola, ¿me pueden enviar la factura del reembolso? Gracias", "other"),
    ("중복 결제\n같은 주문이 두 번 결제되었어요. 한 건 취소해 주세요.", "other"),
)
